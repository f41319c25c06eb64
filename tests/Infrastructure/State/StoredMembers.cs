using System.Reflection;

namespace Mcp.Cluster.Tests.Infrastructure.State;

/// <summary>The members Orleans stores of a type: those carrying an <c>[Id]</c> (records' <c>[property: Id]</c> included).</summary>
public sealed record StoredMembers(uint Id, string Name, Type ValueType, Func<object, object?> GetValue, Action<object, object?> SetValue)
{
    public static IReadOnlyList<StoredMembers> Of(Type type)
    {
        var members = new List<StoredMembers>();
        foreach (var property in type.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            if (property.GetCustomAttribute<IdAttribute>() is { } id)
            {
                members.Add(new StoredMembers(id.Id, property.Name, property.PropertyType, property.GetValue, property.SetValue));
            }
        }
        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            if (field.GetCustomAttribute<IdAttribute>() is { } id)
            {
                members.Add(new StoredMembers(id.Id, field.Name, field.FieldType, field.GetValue, field.SetValue));
            }
        }
        return members.OrderBy(m => m.Id).ToArray();
    }
}
