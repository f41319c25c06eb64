using System.Collections;
using System.Reflection;

namespace Mcp.Cluster.Tests.Infrastructure.State;

/// <summary>
/// Builds an instance of a persisted type with every stored member set to a value that differs from its default and
/// from the values of other seeds: nested objects, collections and dictionaries included. Deterministic per seed, so
/// golden files can be compared with a fresh sample.
/// </summary>
public sealed class StateSamples(int seed)
{
    private const int MaxDepth = 12;
    private int _next = seed * 1000;

    public T Create<T>() => (T)Create(typeof(T), 0)!;

    public object? Create(Type type, int depth)
    {
        var n = ++_next;
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Create(underlying, depth);
        }
        if (type == typeof(string)) return $"s{n}";
        if (type == typeof(bool)) return true;
        if (type == typeof(int)) return n;
        if (type == typeof(long)) return 10_000_000_000L + n;
        if (type == typeof(short)) return (short)(n % 30000);
        if (type == typeof(byte)) return (byte)(n % 250 + 1);
        if (type == typeof(double)) return n + 0.25;
        if (type == typeof(float)) return n + 0.5f;
        if (type == typeof(decimal)) return n + 0.125m;
        if (type == typeof(DateTimeOffset)) return new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(n);
        if (type == typeof(DateTime)) return new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(n);
        if (type == typeof(DateOnly)) return new DateOnly(2026, 1, 1).AddDays(n % 3000);
        if (type == typeof(TimeSpan)) return TimeSpan.FromSeconds(n);
        if (type == typeof(Guid)) return new Guid(n, 1, 2, [3, 4, 5, 6, 7, 8, 9, 10]);
        if (type == typeof(byte[])) return new[] { (byte)(n % 256), (byte)1, (byte)2 };
        if (type.IsEnum)
        {
            var values = Enum.GetValues(type);
            return values.GetValue(values.Length - 1);
        }
        if (type.IsArray)
        {
            var element = type.GetElementType()!;
            var array = Array.CreateInstance(element, 2);
            array.SetValue(Create(element, depth + 1), 0);
            array.SetValue(Create(element, depth + 1), 1);
            return array;
        }
        if (depth > MaxDepth)
        {
            return null;
        }
        if (DictionaryTypes(type) is var (keyType, valueType))
        {
            var concrete = type.IsInterface ? typeof(Dictionary<,>).MakeGenericType(keyType, valueType) : type;
            var dictionary = (IDictionary)Activator.CreateInstance(concrete)!;
            for (var i = 0; i < 2; i++)
            {
                dictionary[Create(keyType, depth + 1)!] = Create(valueType, depth + 1);
            }
            return dictionary;
        }
        if (ElementType(type) is { } elementType)
        {
            var concrete = type.IsInterface ? typeof(List<>).MakeGenericType(elementType) : type;
            var collection = Activator.CreateInstance(concrete)!;
            var add = concrete.GetMethod("Add", [elementType])!;
            add.Invoke(collection, [Create(elementType, depth + 1)]);
            add.Invoke(collection, [Create(elementType, depth + 1)]);
            return collection;
        }
        if (type.GetConstructor(Type.EmptyTypes) is { } parameterless)
        {
            var instance = parameterless.Invoke(null);
            foreach (var member in StoredMembers.Of(type))
            {
                member.SetValue(instance, Create(member.ValueType, depth + 1));
            }
            return instance;
        }
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        return constructor.Invoke(constructor.GetParameters().Select(p => Create(p.ParameterType, depth + 1)).ToArray());
    }

    private static (Type Key, Type Value)? DictionaryTypes(Type type)
    {
        var generic = type.IsGenericType && type.GetGenericTypeDefinition() is var d
            && (d == typeof(IDictionary<,>) || d == typeof(IReadOnlyDictionary<,>))
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        return generic is null ? null : (generic.GetGenericArguments()[0], generic.GetGenericArguments()[1]);
    }

    private static Type? ElementType(Type type)
    {
        if (type == typeof(string))
        {
            return null;
        }
        if (type.IsInterface && type.IsGenericType && type.GetGenericTypeDefinition() is var d
            && (d == typeof(IEnumerable<>) || d == typeof(IReadOnlyList<>) || d == typeof(IReadOnlyCollection<>)
                || d == typeof(IList<>) || d == typeof(ICollection<>)))
        {
            return type.GetGenericArguments()[0];
        }
        return type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICollection<>))
            ?.GetGenericArguments()[0];
    }
}
