namespace Mcp.Cluster.Models.Hosted.Placement;

/// <summary>
/// The placement rules of hosted-model sessions over the ledger's state, free of Orleans so they can be tested alone.
/// A session may run on an active silo that offers a GPU when it needs one and has its memory free (budget minus the
/// reservations of other sessions); among those the one with the most memory free wins, ties broken by address so
/// every ledger activation decides alike. A placement reserves the memory at once (pending) and the host confirms it
/// when it loads; pending reservations never confirmed expire after <paramref name="pendingTimeout"/>.
/// Every operation first forgets silos that left the cluster, with their reservations.
/// </summary>
/// <param name="status">A silo's membership status by its parsable address; <see cref="SiloStatus.None"/> when unknown.</param>
public sealed class PlacementBook(ModelPlacementState state, TimeProvider time, TimeSpan pendingTimeout)
{
    private bool _changed;

    public ModelPlacementState State => state;

    /// <summary>Whether the state changed since the last call (and so needs writing); resets the flag.</summary>
    public bool TakeChanges()
    {
        var changed = _changed;
        _changed = false;
        return changed;
    }

    public void Declare(SiloResources resources)
    {
        var key = resources.Silo.ToParsableString();
        if (state.Silos.TryGetValue(key, out var declared) && declared.Gpus == resources.Gpus && declared.ModelMemoryBytes == resources.ModelMemoryBytes)
        {
            return;
        }
        state.Silos[key] = new DeclaredSilo { Gpus = resources.Gpus, ModelMemoryBytes = resources.ModelMemoryBytes };
        _changed = true;
    }

    /// <summary>
    /// Forgets silos that are leaving or gone (shutting down, stopping, dead) and every reservation on them, and pending
    /// reservations older than the timeout. Silos not yet seen active (joining, or newer than the caller's view) stay
    /// declared but take no sessions until they are.
    /// </summary>
    public void Refresh(Func<string, SiloStatus> status)
    {
        foreach (var silo in state.Silos.Keys.ToArray())
        {
            if (status(silo) is SiloStatus.ShuttingDown or SiloStatus.Stopping or SiloStatus.Dead)
            {
                state.Silos.Remove(silo);
                _changed = true;
            }
        }
        var now = time.GetUtcNow();
        foreach (var (session, reservation) in state.Sessions.ToArray())
        {
            if (!state.Silos.ContainsKey(reservation.Silo) || now - reservation.PendingSince >= pendingTimeout)
            {
                state.Sessions.Remove(session);
                _changed = true;
            }
        }
    }

    /// <param name="reserve">False: only say where the session would go (or why nowhere), holding nothing.</param>
    public PlacementDecision Place(string sessionKey, HostingRequirement requirement, Func<string, SiloStatus> status, bool reserve = true)
    {
        Refresh(status);
        if (state.Sessions.TryGetValue(sessionKey, out var current) && status(current.Silo) == SiloStatus.Active
            && Refusal(sessionKey, current.Silo, requirement) is null)
        {
            if (reserve)
            {
                Resize(current, requirement.MemoryBytes);
            }
            return new PlacementDecision(SiloAddress.FromParsableString(current.Silo));
        }

        var active = state.Silos.Keys.Where(s => status(s) == SiloStatus.Active).ToArray();
        if (active.Length == 0)
        {
            return Unschedulable("no silo has declared resources yet; silos declare them at start (Silo:Resources)");
        }
        var offering = requirement.RequiresGpu ? active.Where(s => state.Silos[s].Gpus >= 1).ToArray() : active;
        if (offering.Length == 0)
        {
            return Unschedulable("no silo offers a GPU (requires_gpu: true); declare one with Silo:Resources:Gpu on a silo that has it");
        }
        var roomiest = offering
            .Select(s => (Silo: s, Free: Free(s, sessionKey)))
            .OrderByDescending(s => s.Free)
            .ThenBy(s => s.Silo, StringComparer.Ordinal)
            .First();
        if (roomiest.Free < requirement.MemoryBytes)
        {
            return Unschedulable(NoRoom(requirement, offering, roomiest.Silo, roomiest.Free));
        }
        if (!reserve)
        {
            return new PlacementDecision(SiloAddress.FromParsableString(roomiest.Silo));
        }

        if (current is null || current.Silo != roomiest.Silo)
        {
            state.Sessions[sessionKey] = new SessionReservation { Silo = roomiest.Silo, Bytes = requirement.MemoryBytes, PendingSince = time.GetUtcNow() };
            _changed = true;
        }
        else
        {
            Resize(current, requirement.MemoryBytes);
        }
        return new PlacementDecision(SiloAddress.FromParsableString(roomiest.Silo));
    }

    /// <summary>
    /// The host on <paramref name="silo"/> loads the session: its reservation there is confirmed (again, harmlessly),
    /// or made there when the session was placed elsewhere or not at all and it fits; otherwise refused with the reason.
    /// </summary>
    public PlacementDecision Confirm(string sessionKey, SiloAddress silo, HostingRequirement requirement, Func<string, SiloStatus> status)
    {
        Refresh(status);
        var key = silo.ToParsableString();
        if (status(key) != SiloStatus.Active)
        {
            return Unschedulable($"silo {key} is not an active member of the cluster; place the session again");
        }
        if (Refusal(sessionKey, key, requirement) is { } refusal)
        {
            return Unschedulable(refusal);
        }
        if (state.Sessions.TryGetValue(sessionKey, out var current) && current.Silo == key)
        {
            Resize(current, requirement.MemoryBytes);
            if (current.PendingSince is not null)
            {
                current.PendingSince = null;
                _changed = true;
            }
        }
        else
        {
            state.Sessions[sessionKey] = new SessionReservation { Silo = key, Bytes = requirement.MemoryBytes };
            _changed = true;
        }
        return new PlacementDecision(silo);
    }

    /// <summary>Frees the session's memory when it is held on <paramref name="silo"/>: a late release from a host it has moved away from frees nothing.</summary>
    public void Release(string sessionKey, SiloAddress silo)
    {
        if (state.Sessions.TryGetValue(sessionKey, out var current) && current.Silo == silo.ToParsableString())
        {
            state.Sessions.Remove(sessionKey);
            _changed = true;
        }
    }

    public PlacementSnapshot Snapshot(Func<string, SiloStatus> status)
    {
        Refresh(status);
        var bySilo = state.Sessions.ToLookup(s => s.Value.Silo, StringComparer.Ordinal);
        return new PlacementSnapshot(state.Silos
            .Where(s => status(s.Key) == SiloStatus.Active)
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .Select(s => new SiloPlacement(
                SiloAddress.FromParsableString(s.Key),
                s.Value.Gpus,
                s.Value.ModelMemoryBytes,
                bySilo[s.Key].Sum(r => r.Value.Bytes),
                bySilo[s.Key].Select(r => r.Key).Order(StringComparer.Ordinal).ToArray()))
            .ToArray());
    }

    /// <summary>Why <paramref name="silo"/> cannot hold the session (besides its own reservation there), or null when it can.</summary>
    private string? Refusal(string sessionKey, string silo, HostingRequirement requirement)
    {
        if (!state.Silos.TryGetValue(silo, out var declared))
        {
            return $"silo {silo} has not declared resources (Silo:Resources)";
        }
        if (requirement.RequiresGpu && declared.Gpus < 1)
        {
            return $"silo {silo} offers no GPU (requires_gpu: true)";
        }
        var free = Free(silo, sessionKey);
        return free < requirement.MemoryBytes
            ? $"needs {ByteSize.Format(requirement.MemoryBytes)} of model memory; silo {silo} has {ByteSize.Format(Math.Max(0, free))} free (of {ByteSize.Format(declared.ModelMemoryBytes)})"
            : null;
    }

    private string NoRoom(HostingRequirement requirement, string[] offering, string roomiest, long free)
    {
        var largestBudget = offering.Max(s => state.Silos[s].ModelMemoryBytes);
        var hint = requirement.MemoryBytes > largestBudget
            ? "more than any silo's budget: raise Silo:Resources:ModelMemory on a silo or lower memory_requirement"
            : "unload or delete models to free memory, or add a silo";
        return $"needs {ByteSize.Format(requirement.MemoryBytes)} of model memory{(requirement.RequiresGpu ? " on a GPU silo" : "")}; "
            + $"the largest free budget is {ByteSize.Format(Math.Max(0, free))} on silo {roomiest} (of {ByteSize.Format(state.Silos[roomiest].ModelMemoryBytes)}); {hint}";
    }

    /// <summary>The silo's budget less what other sessions hold there; below zero when an operator lowered the budget under them.</summary>
    private long Free(string silo, string exceptSession) =>
        state.Silos[silo].ModelMemoryBytes
        - state.Sessions.Where(s => s.Value.Silo == silo && s.Key != exceptSession).Sum(s => s.Value.Bytes);

    private void Resize(SessionReservation reservation, long bytes)
    {
        if (reservation.Bytes != bytes)
        {
            reservation.Bytes = bytes;
            _changed = true;
        }
    }

    private static PlacementDecision Unschedulable(string reason) => new(null, reason);
}
