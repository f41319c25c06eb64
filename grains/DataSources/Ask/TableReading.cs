using System.Globalization;
using System.Text.Json;

namespace Mcp.Cluster.DataSources.Ask;

/// <summary>
/// One reading of a question against one table: which words name the table, its fields, its values, a period, a
/// comparison, a count or average, a grouping or an order, and the structured query they add up to. Every rule claims
/// the words it used, so a word is explained once; how much of the question is explained is the reading's coverage,
/// which chooses the table (and the source) and becomes the translation's confidence.
/// </summary>
public sealed class TableReading
{
    private const int MaxInValues = 20;

    private readonly QuestionText _q;
    private readonly AskTable _table;
    private readonly bool[] _claimed;
    private readonly bool[] _slot;
    private readonly List<DataFilter> _filters = [];
    private readonly List<DataAggregate> _aggregates = [];
    private readonly List<string> _groupBy = [];
    private readonly List<DataOrder> _orderBy = [];
    private readonly List<string> _fields = [];
    private readonly Dictionary<AskField, IReadOnlyList<string>> _parts = new(ReferenceEqualityComparer.Instance);
    private readonly IReadOnlyList<string> _tableParts;
    private readonly string[] _schemaWords;

    // Which fields a word names depends on the word and the table only, and every rule asks: worked out once per word.
    private readonly List<AskField>?[] _named;
    private readonly Dictionary<string, string[]> _valueWords = new(StringComparer.Ordinal);
    private int? _limit;
    private int _tableMention = -1;
    private int _linked;

    private TableReading(QuestionText question, AskTable table, IReadOnlyList<AskTable>? schemaTables)
    {
        _schemaWords = (schemaTables ?? [table]).Select(t => t.NameParts[^1]).Where(p => p.Length > 2).Distinct().ToArray();
        _q = question;
        _table = table;
        _claimed = new bool[question.Count];
        _slot = new bool[question.Count];
        _named = new List<AskField>?[question.Count];
        _tableParts = table.NameParts;
        foreach (var field in table.Fields)
        {
            _parts[field] = field.NameParts;
        }
    }

    public AskTable Table => _table;

    /// <summary>The share of the question's meaningful words this reading explains (0 to 1).</summary>
    public double Coverage { get; private set; }

    /// <summary>Whether anything ties the question to this table: its name, or one of its fields or values.</summary>
    public bool HasEvidence => _tableMention >= 0 || _linked > 0;

    public double Score => Coverage + (_tableMention >= 0 ? 0.25 : 0) + Math.Min(_linked, 5) * 0.01;

    public double Confidence => HasEvidence ? Coverage : Coverage * 0.4;

    /// <summary>The filters the question's values, numbers and periods became (examples are adapted with them).</summary>
    public IReadOnlyList<DataFilter> Filters => _filters;

    public DataQuery Query => new(_table.Name, _fields.Count > 0 && _aggregates.Count == 0 ? _fields.ToArray() : null, _filters.ToArray(),
        _orderBy.ToArray(), _limit, 0, _aggregates.Count > 0 ? _aggregates.ToArray() : null, _groupBy.Count > 0 ? _groupBy.ToArray() : null);

    /// <summary>Whether a rule used word <paramref name="index"/>.</summary>
    public bool IsClaimed(int index) => _claimed[index];

    /// <summary>Whether word <paramref name="index"/> is a value, number or period (what changes between two askings of one question).</summary>
    public bool IsSlot(int index) => _slot[index];

    /// <param name="schemaTables">Every table of the source the caller may read (their names are never values).</param>
    public static TableReading Read(QuestionText question, AskTable table, IReadOnlyList<AskTable>? schemaTables = null)
    {
        var reading = new TableReading(question, table, schemaTables);
        reading.ReadAll();
        return reading;
    }

    private void ReadAll()
    {
        FindTableMentions();
        FindCount();
        FindLimitAndOrder();
        FindPeriods();
        FindFullValues();
        FindStates();
        FindComparisons();
        FindOtherAggregates();
        FindGrouping();
        FindPartialValues();
        FindMissingFields();
        FindProjection();
        if (_groupBy.Count > 0 && _aggregates.Count == 0)
        {
            _aggregates.Add(new DataAggregate(AggregateFunction.Count));
        }
        if (_aggregates.Count > 0)
        {
            // Orders only make sense on what an aggregate answer has: its groups and aggregates.
            _orderBy.RemoveAll(o => !_groupBy.Contains(o.Field) && _aggregates.All(a => Mcp.Cluster.DataSources.Query.AggregateNames.Of(a) != o.Field));
            if (_groupBy.Count == 0)
            {
                _limit = null;
            }
        }
        Coverage = ComputeCoverage();
    }

    private double ComputeCoverage()
    {
        var content = 0;
        var explained = 0;
        for (var i = 0; i < _q.Count; i++)
        {
            var word = _q.Words[i];
            if (word.Number is null && AskVocabulary.Filler.Contains(word.Text))
            {
                continue;
            }
            content++;
            if (_claimed[i])
            {
                explained++;
            }
        }
        return content == 0 ? 0 : (double)explained / content;
    }

    private void Claim(int start, int length = 1)
    {
        for (var i = start; i < start + length && i < _claimed.Length; i++)
        {
            _claimed[i] = true;
        }
    }

    private void ClaimSlot(int start, int length = 1)
    {
        Claim(start, length);
        for (var i = start; i < start + length && i < _slot.Length; i++)
        {
            _slot[i] = true;
        }
    }

    private bool Free(int start, int length = 1)
    {
        for (var i = start; i < start + length; i++)
        {
            if (i < 0 || i >= _claimed.Length || _claimed[i])
            {
                return false;
            }
        }
        return true;
    }

    // ---- the table -------------------------------------------------------------------------------------------------

    private void FindTableMentions()
    {
        for (var i = 0; i < _q.Count; i++)
        {
            if (_q.Words[i].Number is null && _tableParts.Count > 0 && NamesTable(i))
            {
                Claim(i);
                if (_tableMention < 0)
                {
                    _tableMention = i;
                }
            }
        }
    }

    private bool NamesTable(int i)
    {
        // The table's last name part is what it is ("job_postings" → postings); earlier parts qualify it.
        var word = _q[i];
        return AskVocabulary.Names(word, _tableParts[^1])
            || _tableParts.Count > 1 && string.Join("", _tableParts) == AskVocabulary.Stem(word);
    }

    private bool TableIsPluralAt(int i) => i >= 0 && i < _q.Count && IsPlural(_q[i]);

    private static bool IsPlural(string word) => word.Length > 3 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal);

    // ---- fields named by words -------------------------------------------------------------------------------------

    /// <summary>The fields word <paramref name="i"/> names, best first (a field named by its own last part before one named by its column).</summary>
    private List<AskField> FieldsNamedAt(int i) => _named[i] ??= FieldsNamedBy(i);

    /// <summary>The words of a value as a question's words are read ("Austin, TX" → austin, tx), read once per value.</summary>
    private string[] ValueWords(string value)
    {
        if (!_valueWords.TryGetValue(value, out var words))
        {
            _valueWords[value] = words = QuestionText.Parse(value).Words.Select(w => w.Text).ToArray();
        }
        return words;
    }

    private List<AskField> FieldsNamedBy(int i)
    {
        var word = _q.Words[i];
        if (word.Number is not null || AskVocabulary.Filler.Contains(word.Text) && word.Text is not ("where" or "when"))
        {
            return [];
        }
        var named = new List<(AskField Field, int Rank)>();
        foreach (var field in _table.Fields)
        {
            var parts = _parts[field];
            for (var p = parts.Count - 1; p >= 0; p--)
            {
                if (parts[p] is "id" or "at" or "of" or "per" or "is" || parts[p].Length < 2)
                {
                    continue;
                }
                if (AskVocabulary.Names(word.Text, parts[p]))
                {
                    named.Add((field, p == parts.Count - 1 ? 0 : 1));
                    break;
                }
            }
        }
        return named.OrderBy(n => n.Rank).ThenBy(n => n.Field.Path.Length).Select(n => n.Field).ToList();
    }

    /// <summary>The nearest word within <paramref name="window"/> of <paramref name="from"/> that names a field passing <paramref name="accept"/>.</summary>
    private (AskField Field, int Index)? NearestField(int from, int window, bool before, bool after, Func<AskField, bool> accept, bool freeOnly = true)
    {
        for (var distance = 0; distance <= window; distance++)
        {
            foreach (var i in new[] { after ? from + distance : -1, before ? from - distance : -1 })
            {
                if (i < 0 || i >= _q.Count || (freeOnly && _claimed[i]))
                {
                    continue;
                }
                if (FieldsNamedAt(i).FirstOrDefault(accept) is { } field)
                {
                    return (field, i);
                }
            }
        }
        return null;
    }

    /// <summary>
    /// The numeric field a mention stands for: itself, or for an object field its numeric member: the member the
    /// question names by its own name ("minimum salary", "base price"), else of a range (min/max members) the top,
    /// which is what a job "pays" (the bottom only for a lowest value), else its main amount. With
    /// <paramref name="claim"/> the word naming the member is used up.
    /// </summary>
    private AskField? NumericTarget(AskField mentioned, bool high, bool claim = false)
    {
        if (mentioned.IsNumeric && mentioned.Comparable && !mentioned.IsMember)
        {
            return mentioned;
        }
        var root = mentioned.IsMember ? mentioned.Root : mentioned.Path;
        if (!mentioned.IsMember && mentioned.Type is not (DataType.Object or DataType.Json))
        {
            return null;
        }
        var members = _table.Fields.Where(f => f.Root == root && f.IsMember && f.IsNumeric && f.Comparable).ToArray();
        if (members.Length == 0)
        {
            return null;
        }
        var rootParts = FieldNameParts.Of(root);
        foreach (var member in members)
        {
            var own = _parts[member][^1];
            if (rootParts.Contains(own))
            {
                continue;
            }
            for (var i = 0; i < _q.Count; i++)
            {
                if (!_claimed[i] && _q.Words[i].Number is null && AskVocabulary.Names(_q[i], own))
                {
                    if (claim)
                    {
                        Claim(i);
                    }
                    return member;
                }
            }
        }
        var end = members.FirstOrDefault(f => _parts[f][^1] == (high ? "max" : "min"));
        if (end is not null)
        {
            return end;
        }
        return mentioned.IsMember && mentioned.IsNumeric && mentioned.Comparable ? mentioned
            : members.OrderBy(f => _parts[f].Contains("per") ? 1 : 0).ThenBy(f => f.Path.Length).First();
    }

    private bool IsMoneyField(AskField field) =>
        _parts[field].Any(p => p is "salary" or "price" or "cost" or "amount" or "revenue" or "budget" or "pay" or "wage" or "income" or "pricing" or "compensation");

    // ---- count, average and other aggregates -----------------------------------------------------------------------

    private void FindCount()
    {
        foreach (var phrase in new[] { "how many", "total number of", "number of", "count of", "count", "tally" })
        {
            var at = _q.Find(phrase);
            if (at >= 0 && Free(at, Length(phrase)))
            {
                Claim(at, Length(phrase));
                _aggregates.Add(new DataAggregate(AggregateFunction.Count));
                return;
            }
        }
    }

    private void FindOtherAggregates()
    {
        foreach (var (phrase, function) in AskVocabulary.Aggregates)
        {
            if (function == AggregateFunction.Count)
            {
                continue;
            }
            var at = _q.Find(phrase);
            if (at < 0 || !Free(at, Length(phrase)))
            {
                continue;
            }
            var high = function is not AggregateFunction.Min;
            var mention = NearestField(at + Length(phrase), 4, before: false, after: true, f => NumericTarget(f, high) is not null)
                ?? NearestField(at - 1, 2, before: true, after: false, f => NumericTarget(f, high) is not null);
            if (mention is not { } m || NumericTarget(m.Field, high, claim: true) is not { } target)
            {
                continue;
            }
            Claim(at, Length(phrase));
            Claim(m.Index);
            if (_aggregates.All(a => a.Function != function || a.Field != target.Path))
            {
                _aggregates.Add(new DataAggregate(function, target.Path));
            }
        }
    }

    // ---- limits and orders -----------------------------------------------------------------------------------------

    private static readonly (string Phrase, bool Descending, string Concept)[] Superlatives =
    [
        ("most recent", true, "date"), ("most recently", true, "date"), ("newest", true, "date"), ("latest", true, "date"),
        ("oldest", false, "date"), ("earliest", false, "date"),
        ("highest paying", true, "salary"), ("best paying", true, "salary"), ("top paying", true, "salary"), ("best paid", true, "salary"),
        ("highest paid", true, "salary"), ("lowest paying", false, "salary"), ("worst paying", false, "salary"), ("lowest paid", false, "salary"),
        ("most expensive", true, "price"), ("priciest", true, "price"), ("cheapest", false, "price"), ("least expensive", false, "price"),
        ("most affordable", false, "price"), ("largest", true, "size"), ("biggest", true, "size"), ("smallest", false, "size"),
        ("highest", true, ""), ("lowest", false, ""), ("most", true, ""), ("fewest", false, ""), ("least", false, ""),
    ];

    private void FindLimitAndOrder()
    {
        // "top 5", "first 10", "5 newest", "the 3 cheapest homes", "10 jobs".
        for (var i = 0; i < _q.Count; i++)
        {
            if (_q.Words[i].Number is not { } n || n < 1 || n > 1000 || n != Math.Floor(n) || _q.Words[i].Scaled)
            {
                continue;
            }
            var lead = i > 0 && _q[i - 1] is "top" or "first" or "latest" or "newest";
            var followedBySuperlative = i + 1 < _q.Count && Superlatives.Any(s => _q.At(i + 1, s.Phrase));
            var followedByTable = i + 1 < _q.Count && NamesTable(i + 1);
            if (lead || followedBySuperlative || followedByTable)
            {
                _limit = (int)n;
                Claim(i);
                // "top 5" is a limit; in "latest 5" the word also orders, which the superlatives below read.
                if (lead && _q[i - 1] is "top" or "first")
                {
                    Claim(i - 1);
                }
                break;
            }
        }

        foreach (var (phrase, descending, concept) in Superlatives)
        {
            var at = _q.Find(phrase);
            if (at < 0 || !Free(at, Length(phrase)))
            {
                continue;
            }
            var after = at + Length(phrase);
            // "at least 4", "at most 3", "most 5" compare or limit; they order nothing.
            if (concept == "" && (at > 0 && _q[at - 1] == "at" || after < _q.Count && _q.Words[after].Number is not null))
            {
                continue;
            }
            // A superlative on rows orders them ("the cheapest homes", "jobs with the highest salary"); one on a field
            // with no rows in view asks for a value ("the highest salary offered for data engineers"): an aggregate.
            var onRows = Enumerable.Range(after, 3).Any(k => k < _q.Count && NamesTable(k)) || _tableMention >= 0 && _tableMention < at;
            var mention = NearestField(after, 2, before: false, after: true, f => (f.IsNumeric || f.IsDate || f.Type is DataType.Object) && !f.Masked);
            if (!onRows && (mention is not null || IsValueQuestion(at)))
            {
                continue;
            }
            if (concept == "")
            {
                if (mention is { } m && Target(m.Field, descending) is { } target)
                {
                    Claim(at, Length(phrase));
                    Claim(m.Index);
                    AddOrder(target.Path, descending, at);
                }
                continue;
            }
            var field = concept switch
            {
                "date" => DateField(at) ?? _table.Fields.FirstOrDefault(f => f.Type == DataType.Integer && _parts[f].Contains("year") && f.Comparable),
                "salary" or "price" => _table.Fields.Where(f => _parts[f].Any(p => AskVocabulary.Names(concept, p))).Select(f => NumericTarget(f, descending)).FirstOrDefault(f => f is not null),
                _ => _table.Fields.Where(f => _parts[f].Any(p => AskVocabulary.Names(concept, p))).Select(f => NumericTarget(f, descending)).FirstOrDefault(f => f is not null),
            };
            if (field is null)
            {
                continue;
            }
            Claim(at, Length(phrase));
            AddOrder(field.Path, descending, at);
        }

        // "sorted by price", "order by posted date descending".
        foreach (var lead in new[] { "sorted by", "sort by", "ordered by", "order by", "sorted on" })
        {
            var at = _q.Find(lead);
            if (at < 0 || NearestField(at + 2, 2, before: false, after: true, f => f.Comparable || f.Type == DataType.Object) is not { } m)
            {
                continue;
            }
            var descending = Enumerable.Range(m.Index + 1, Math.Max(0, Math.Min(3, _q.Count - m.Index - 1)))
                .Any(k => _q[k] is "descending" or "desc" or "highest" or "newest" or "largest" or "latest");
            if (Target(m.Field, descending) is not { } target)
            {
                continue;
            }
            Claim(at, 2);
            Claim(m.Index);
            for (var k = m.Index + 1; k < Math.Min(_q.Count, m.Index + 4); k++)
            {
                if (_q[k] is "descending" or "desc" or "ascending" or "asc" or "highest" or "lowest" or "first" or "newest" or "oldest")
                {
                    Claim(k);
                }
            }
            AddOrder(target.Path, descending, at);
        }

        AskField? Target(AskField field, bool high) => field.IsDate ? field : NumericTarget(field, high, claim: true);
    }

    private void AddOrder(string field, bool descending, int at)
    {
        if (_orderBy.Any(o => o.Field == field))
        {
            return;
        }
        _orderBy.Add(new DataOrder(field, descending));
        // "the most expensive home": one row; "the most expensive homes": all of them, most expensive first.
        if (_limit is null && _tableMention > at && !TableIsPluralAt(_tableMention))
        {
            _limit = 1;
        }
    }

    /// <summary>"what is the highest …", "what's the lowest …": a single value is asked for.</summary>
    private bool IsValueQuestion(int at)
    {
        for (var k = Math.Max(0, at - 3); k < at; k++)
        {
            if (_q[k] is "what" or "whats")
            {
                return true;
            }
        }
        return false;
    }

    // ---- dates -----------------------------------------------------------------------------------------------------

    /// <summary>The date field a period applies to: one named near it, else the table's first date field.</summary>
    private AskField? DateField(int near)
    {
        var dates = _table.Fields.Where(f => f.IsDate && f.Comparable).ToArray();
        if (dates.Length <= 1)
        {
            return dates.FirstOrDefault();
        }
        for (var i = 0; i < _q.Count; i++)
        {
            if (FieldsNamedAt(i).FirstOrDefault(f => f.IsDate && f.Comparable) is { } named)
            {
                Claim(i);
                return named;
            }
        }
        return dates[0];
    }

    private void FindPeriods()
    {
        if (!_table.Fields.Any(f => f.IsDate && f.Comparable))
        {
            return;
        }
        foreach (var (phrase, value) in new[]
        {
            ("today", "today"), ("yesterday", "yesterday"), ("this week", "this_week"), ("this month", "this_month"),
            ("this year", "this_year"), ("last week", "last_1w"), ("past week", "last_1w"), ("last month", "last_1m"),
            ("past month", "last_1m"), ("last year", "last_1y"), ("past year", "last_1y"), ("recently", "last_30d"),
            ("recent", "last_30d"), ("last 24 hours", "last_1d"), ("past 24 hours", "last_1d"),
        })
        {
            var at = _q.Find(phrase);
            if (at >= 0 && Free(at, Length(phrase)))
            {
                AddPeriod(at, Length(phrase), value);
            }
        }
        // "in the last 30 days", "past 6 months", "last 2 weeks", "within 3 years".
        for (var i = 0; i + 2 < _q.Count; i++)
        {
            if (_q[i] is not ("last" or "past" or "previous" or "within") || _q.Words[i + 1].Number is not { } n || n < 1 || n > 3650 || n != Math.Floor(n))
            {
                continue;
            }
            var unit = AskVocabulary.Stem(_q[i + 2]) switch
            {
                "day" => 'd',
                "week" => 'w',
                "month" => 'm',
                "year" => 'y',
                _ => '\0',
            };
            if (unit != '\0' && Free(i, 3))
            {
                AddPeriod(i, 3, $"last_{(int)n}{unit}");
            }
        }
        // Years: "in 2025", "since 2024", "before 2020", "after 2023".
        for (var i = 0; i < _q.Count; i++)
        {
            if (_q.Words[i].Number is not { } year || year < 1900 || year > 2100 || year != Math.Floor(year) || _q.Words[i].Scaled || !Free(i))
            {
                continue;
            }
            var lead = i > 0 ? _q[i - 1] : "";
            if (lead is not ("in" or "during" or "since" or "before" or "after" or "from"))
            {
                continue;
            }
            // A year that belongs to a field named beside it ("founded before 1990") is a comparison, not a period.
            if (NearestField(i - 2, 1, before: true, after: false, f => f.IsNumeric) is not null)
            {
                continue;
            }
            var field = DateField(i);
            if (field is null)
            {
                return;
            }
            var start = new DateOnly((int)year, 1, 1);
            ClaimSlot(i - 1, 2);
            var (op, bound) = lead switch
            {
                "since" or "from" => (FilterOperator.Gte, start),
                "before" => (FilterOperator.Lt, start),
                "after" => (FilterOperator.Gte, start.AddYears(1)),
                _ => (FilterOperator.Gte, start),
            };
            _filters.Add(new DataFilter(field.Path, op, Json(DateValue(field, bound))));
            if (lead is "in" or "during")
            {
                _filters.Add(new DataFilter(field.Path, FilterOperator.Lt, Json(DateValue(field, start.AddYears(1)))));
            }
            _linked++;
        }
    }

    private static string DateValue(AskField field, DateOnly day) => field.Type == DataType.Date
        ? day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
        : day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T00:00:00Z";

    private void AddPeriod(int at, int length, string value)
    {
        var field = DateField(at);
        if (field is null || _filters.Any(f => f.Field == field.Path && f.Operator == FilterOperator.Eq))
        {
            return;
        }
        ClaimSlot(at, length);
        // "posted today", "completed this year": the verb names the field.
        if (at > 0 && FieldsNamedAt(at - 1).Contains(field))
        {
            Claim(at - 1);
        }
        _filters.Add(new DataFilter(field.Path, FilterOperator.Eq, Json(value)));
        _linked++;
    }

    // ---- values ----------------------------------------------------------------------------------------------------

    private void FindFullValues()
    {
        var candidates = new List<(AskField Field, string Value, string[] Words)>();
        foreach (var field in _table.Fields.Where(f => f.IsText && f.Comparable && f.Values is not null))
        {
            foreach (var value in field.Values!)
            {
                var words = ValueWords(value);
                if (words.Length > 0 && !(words.Length == 1 && AskVocabulary.Filler.Contains(words[0])))
                {
                    candidates.Add((field, value, words));
                }
            }
        }
        var found = new List<(AskField Field, string Value, int At)>();
        foreach (var candidate in candidates.OrderByDescending(c => c.Words.Length))
        {
            for (var i = 0; i + candidate.Words.Length <= _q.Count; i++)
            {
                if (Free(i, candidate.Words.Length) && SameWordsAt(i, candidate.Words))
                {
                    ClaimSlot(i, candidate.Words.Length);
                    found.Add((candidate.Field, candidate.Value, i));
                }
            }
        }
        AddValueFilters(found);
    }

    /// <summary>Whether the question's words from <paramref name="at"/> are <paramref name="words"/>, plurals folded.</summary>
    private bool SameWordsAt(int at, string[] words)
    {
        if (at + words.Length > _q.Count)
        {
            return false;
        }
        for (var k = 0; k < words.Length; k++)
        {
            // A word matches by its stem too ("scientists", "Data Scientist"), unless it names a field ("finished" is
            // the completion date, not the status "finishing").
            if (_q[at + k] != words[k] && (AskVocabulary.Stem(_q[at + k]) != AskVocabulary.Stem(words[k]) || FieldsNamedAt(at + k).Count > 0))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>State names ("Texas") stand for their postal codes ("TX"), which values hold whole or as a word ("Austin, TX").</summary>
    private void FindStates()
    {
        foreach (var (name, code) in AskVocabulary.UsStates)
        {
            var at = _q.Find(name);
            var length = Length(name);
            if (at < 0 || !Free(at, length))
            {
                continue;
            }
            var whole = _table.Fields.Where(f => f.IsText && f.Comparable && f.Values?.Contains(code) == true).ToArray();
            if (whole.Length > 0)
            {
                ClaimSlot(at, length);
                AddValueFilters([(PreferNamed(whole), code, at)]);
                continue;
            }
            if (PartialMatches(code.ToLowerInvariant()) is { } partial)
            {
                ClaimSlot(at, length);
                AddPartialFilter(partial.Field, partial.Values, code, at);
            }
        }
    }

    private void FindPartialValues()
    {
        for (var i = 0; i < _q.Count; i++)
        {
            var word = _q.Words[i];
            if (!Free(i) || word.Number is not null || word.Text.Length < 3 || AskVocabulary.Filler.Contains(word.Text)
                || AskVocabulary.Negations.Contains(word.Text))
            {
                continue;
            }
            // A word that names a table or a field of the source ("homes", "salary") is that, not part of a value
            // ("Summit Homes"); values are matched whole above.
            if (_schemaWords.Any(part => AskVocabulary.Names(word.Text, part)) || FieldsNamedAt(i).Count > 0)
            {
                continue;
            }
            if (PartialMatches(word.Text) is { } partial)
            {
                ClaimSlot(i);
                AddPartialFilter(partial.Field, partial.Values, word.Original, i);
            }
        }
    }

    /// <summary>The field whose values have <paramref name="word"/> as one of their words, and those values.</summary>
    private (AskField Field, IReadOnlyList<string> Values)? PartialMatches(string word)
    {
        var stem = AskVocabulary.Stem(word);
        var matches = new List<(AskField Field, IReadOnlyList<string> Values)>();
        foreach (var field in _table.Fields.Where(f => f.IsText && f.Comparable && f.Values is not null))
        {
            var values = field.Values!.Where(v => ValueWords(v).Any(w => w == word || AskVocabulary.Stem(w) == stem)).ToArray();
            if (values.Length > 0)
            {
                matches.Add((field, values));
            }
        }
        if (matches.Count == 0)
        {
            return null;
        }
        var field0 = PreferNamed(matches.Select(m => m.Field).ToArray());
        return matches.First(m => m.Field == field0);
    }

    private void AddPartialFilter(AskField field, IReadOnlyList<string> values, string word, int at)
    {
        var negated = Negated(at);
        if (_table.FullySampled && values.Count <= MaxInValues)
        {
            AddValueFilters(values.Select(v => (field, v, at)).ToList(), negated);
            return;
        }
        if (negated)
        {
            return;
        }
        _filters.Add(new DataFilter(field.Path, FilterOperator.Contains, Json(word)));
        _linked++;
    }

    private void AddValueFilters(List<(AskField Field, string Value, int At)> found, bool? negatedAll = null)
    {
        foreach (var group in found.GroupBy(f => (f.Field.Path, Negated: negatedAll ?? Negated(f.At))))
        {
            var values = group.Select(g => g.Value).Distinct().ToArray();
            var path = group.Key.Path;
            var negated = group.Key.Negated;
            var existing = _filters.FindIndex(f => f.Field == path && f.Operator is FilterOperator.Eq or FilterOperator.In && !negated);
            if (existing >= 0)
            {
                // "jobs in Austin or Denver": one field, several values.
                var before = ValuesOf(_filters[existing]);
                values = before.Concat(values).Distinct().ToArray();
                _filters.RemoveAt(existing);
            }
            _filters.Add(values.Length == 1
                ? new DataFilter(path, negated ? FilterOperator.Ne : FilterOperator.Eq, Json(values[0]))
                : new DataFilter(path, negated ? FilterOperator.NotIn : FilterOperator.In, JsonSerializer.Serialize(values)));
            _linked++;
        }
    }

    private static string[] ValuesOf(DataFilter filter)
    {
        using var document = JsonDocument.Parse(filter.ValueJson);
        return document.RootElement.ValueKind == JsonValueKind.Array
            ? document.RootElement.EnumerateArray().Select(e => e.GetString() ?? "").ToArray()
            : [document.RootElement.GetString() ?? ""];
    }

    /// <summary>Whether a negation ("not", "except", "other than") stands just before the words at <paramref name="at"/>.</summary>
    private bool Negated(int at)
    {
        for (var k = Math.Max(0, at - 3); k < at; k++)
        {
            foreach (var negation in AskVocabulary.Negations)
            {
                if (_q.At(k, negation) && k + Length(negation) >= at - 1)
                {
                    Claim(k, Length(negation));
                    return true;
                }
            }
        }
        return false;
    }

    private AskField PreferNamed(IReadOnlyList<AskField> fields)
    {
        foreach (var field in fields)
        {
            for (var i = 0; i < _q.Count; i++)
            {
                if (FieldsNamedAt(i).Contains(field))
                {
                    Claim(i);
                    return field;
                }
            }
        }
        return fields[0];
    }

    // ---- numbers ---------------------------------------------------------------------------------------------------

    private void FindComparisons()
    {
        for (var i = 0; i < _q.Count; i++)
        {
            var word = _q.Words[i];
            if (word.Number is not { } value || !Free(i))
            {
                continue;
            }
            // "between 100k and 150k"
            if (i > 0 && _q[i - 1] == "between" && i + 2 < _q.Count && _q[i + 1] == "and" && _q.Words[i + 2].Number is { } upper)
            {
                if (FieldFor(i - 1, i + 2, word, high: true) is { } range)
                {
                    Claim(i - 1, 4);
                    ClaimSlot(i);
                    ClaimSlot(i + 2);
                    Claim(range.Index);
                    var low = NumericTarget(range.Field, high: false)!;
                    var high = NumericTarget(range.Field, high: true)!;
                    _filters.Add(new DataFilter(low.Path, FilterOperator.Gte, Number(value)));
                    _filters.Add(new DataFilter(high.Path, FilterOperator.Lte, Number(upper)));
                    _linked++;
                }
                continue;
            }
            FilterOperator? op = null;
            var opStart = i;
            var opLength = 0;
            foreach (var (phrase, candidate) in AskVocabulary.Comparisons.OrderByDescending(c => Length(c.Phrase)))
            {
                var length = Length(phrase);
                if (phrase is "or more" or "or less" or "or fewer" or "and up")
                {
                    if (_q.At(i + 1, phrase) || (i + 2 < _q.Count && _q.At(i + 2, phrase)))
                    {
                        op = candidate;
                        opStart = _q.At(i + 1, phrase) ? i + 1 : i + 2;
                        opLength = length;
                        break;
                    }
                    continue;
                }
                if (i - length >= 0 && _q.At(i - length, phrase))
                {
                    op = candidate;
                    opStart = i - length;
                    opLength = length;
                    break;
                }
            }
            if (word.Plus)
            {
                op ??= FilterOperator.Gte;
            }
            // What a range "pays" is its top, above and below a number alike ("paying under 100k": at most 100k).
            const bool highEnd = true;
            var mention = FieldFor(opStart - 1, i + 1, word, highEnd);
            if (mention is not { } m)
            {
                continue;
            }
            if (op is null && m.Index != i + 1 && !(m.Index == i - 1))
            {
                // A bare number counts only beside the field it measures ("3 bedrooms").
                continue;
            }
            var target = NumericTarget(m.Field, highEnd, claim: true)!;
            ClaimSlot(i);
            if (opLength > 0)
            {
                Claim(opStart, opLength);
            }
            Claim(m.Index);
            _filters.Add(new DataFilter(target.Path, op ?? FilterOperator.Eq, Number(value)));
            _linked++;
        }
    }

    /// <summary>
    /// The numeric field a number is about: named just before its comparison ("salary over", "paying over",
    /// "priced under") or just after it ("3 bedrooms", "150k salary"); an amount ("$400k", "150k") with no field named
    /// goes to the table's only money field.
    /// </summary>
    private (AskField Field, int Index)? FieldFor(int before, int after, QuestionText.Word number, bool high)
    {
        var named = NearestField(after, 1, before: false, after: true, f => NumericTarget(f, high) is not null)
            ?? NearestField(before, 2, before: true, after: false, f => NumericTarget(f, high) is not null);
        if (named is not null)
        {
            return named;
        }
        if (number.Scaled)
        {
            var money = _table.Fields.Where(f => IsMoneyField(f) && !f.IsMember && NumericTarget(f, high) is not null).ToArray();
            if (money.Length == 1)
            {
                return (money[0], after - 1);
            }
        }
        return null;
    }

    // ---- groups and fields shown -----------------------------------------------------------------------------------

    private void FindGrouping()
    {
        foreach (var lead in AskVocabulary.GroupingLeads)
        {
            var at = _q.Find(lead);
            while (at >= 0)
            {
                var next = at + Length(lead);
                if (next < _q.Count && _q[next] == "the")
                {
                    next++;
                }
                AskField? field = null;
                // "per location", "per job title": the field is named by the next word or the one after.
                for (var k = next; k < Math.Min(_q.Count, next + 2) && field is null; k++)
                {
                    if (Free(k) && FieldsNamedAt(k).FirstOrDefault(f => (f.IsText || f.IsDate || f.Type == DataType.Integer && !_parts[f].Contains("id") || _parts[f][^1] == "id") && f.Comparable) is { } named)
                    {
                        (field, next) = (named, k);
                    }
                }
                if (field is not null && lead == "by" && _orderBy.Count > 0 && _aggregates.Count == 0 && (field.IsNumeric || field.IsDate))
                {
                    // "the biggest house by square footage": a superlative's measure, not a grouping.
                    Claim(at, next - at + 1);
                    _orderBy[^1] = new DataOrder(field.Path, _orderBy[^1].Descending);
                }
                else if (field is not null)
                {
                    Claim(at, next - at + 1);
                    if (!_groupBy.Contains(field.Path))
                    {
                        _groupBy.Add(field.Path);
                    }
                }
                at = _q.Find(lead, at + 1);
            }
        }
    }

    /// <summary>"jobs without a salary", "builders with no phone": a negation before a field (not a value) asks for rows where it is empty.</summary>
    private void FindMissingFields()
    {
        for (var k = 0; k < _q.Count; k++)
        {
            var negation = AskVocabulary.Negations.FirstOrDefault(n => _q.At(k, n));
            if (negation is null || !Free(k, Length(negation)))
            {
                continue;
            }
            var after = k + Length(negation);
            if (NearestField(after, 2, before: false, after: true, f => !f.IsMember && !f.Masked) is { } m)
            {
                Claim(k, Length(negation));
                Claim(m.Index);
                _filters.Add(new DataFilter(m.Field.Path, FilterOperator.IsNull, "true"));
                _linked++;
            }
        }
    }

    /// <summary>"titles and companies of jobs in Austin": fields named before the table are what to show.</summary>
    private void FindProjection()
    {
        if (_aggregates.Count > 0 || _tableMention < 0)
        {
            return;
        }
        for (var i = 0; i < _tableMention; i++)
        {
            if (!Free(i))
            {
                continue;
            }
            if (FieldsNamedAt(i).FirstOrDefault(f => !f.IsMember) is { } field)
            {
                Claim(i);
                if (!_fields.Contains(field.Path))
                {
                    _fields.Add(field.Path);
                }
            }
        }
        // Words naming fields elsewhere ("jobs with their salary") are understood, not filters.
        for (var i = _tableMention + 1; i < _q.Count; i++)
        {
            if (Free(i) && FieldsNamedAt(i).Count > 0)
            {
                Claim(i);
            }
        }
    }

    private static int Length(string phrase) => phrase.Count(c => c == ' ') + 1;

    private static string Json(string value) => JsonSerializer.Serialize(value);

    private static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
