using System.Text;
using System.Text.Json;

namespace Mcp.Cluster.DataSources.Ask;

/// <summary>A structured query in one plain sentence ("Counted jobs where status is 'active' and posted_date is today."), so a caller can check what their question became.</summary>
public static class QueryExplainer
{
    public static string Explain(DataQuery query)
    {
        var text = new StringBuilder();
        var table = query.Table ?? "the table";
        var aggregates = query.Aggregates ?? [];
        if (aggregates.Count == 0)
        {
            text.Append("Read ").Append(query.Fields is { Count: > 0 } fields ? $"{string.Join(", ", fields)} of {table}" : table);
        }
        else
        {
            var parts = aggregates.Select(a => a.Function switch
            {
                AggregateFunction.Count when a.Field is null => $"counted {table}",
                AggregateFunction.Count => $"counted {a.Field} values of {table}",
                AggregateFunction.Avg => $"averaged {a.Field} over {table}",
                AggregateFunction.Sum => $"summed {a.Field} over {table}",
                AggregateFunction.Min => $"took the lowest {a.Field} of {table}",
                _ => $"took the highest {a.Field} of {table}",
            }).ToArray();
            var sentence = string.Join(" and ", parts);
            text.Append(char.ToUpperInvariant(sentence[0])).Append(sentence[1..]);
            if (query.GroupBy is { Count: > 0 } groups)
            {
                text.Append(" per ").Append(string.Join(" and ", groups));
            }
        }
        for (var i = 0; i < query.Filters.Count; i++)
        {
            text.Append(i == 0 ? " where " : i == query.Filters.Count - 1 ? " and " : ", ");
            Describe(text, query.Filters[i]);
        }
        if (query.OrderBy.Count > 0)
        {
            text.Append(", ordered by ").Append(string.Join(", then ", query.OrderBy.Select(o => $"{o.Field} ({(o.Descending ? "highest or newest first" : "lowest or oldest first")})")));
        }
        if (query.Limit is { } limit)
        {
            text.Append(limit == 1 ? ", the first row only" : $", at most {limit} rows");
        }
        return text.Append('.').ToString();
    }

    private static void Describe(StringBuilder text, DataFilter filter)
    {
        text.Append(filter.Field).Append(' ');
        string value;
        try
        {
            using var document = JsonDocument.Parse(filter.ValueJson);
            value = Value(document.RootElement);
            if (filter.Operator == FilterOperator.Eq && document.RootElement.ValueKind == JsonValueKind.String && Period(document.RootElement.GetString()!) is { } period)
            {
                text.Append(period);
                return;
            }
        }
        catch (JsonException)
        {
            value = filter.ValueJson;
        }
        text.Append(filter.Operator switch
        {
            FilterOperator.Eq => "is ",
            FilterOperator.Ne => "is not ",
            FilterOperator.Lt => "is under ",
            FilterOperator.Lte => "is at most ",
            FilterOperator.Gt => "is over ",
            FilterOperator.Gte => "is at least ",
            FilterOperator.In => "is one of ",
            FilterOperator.NotIn => "is none of ",
            FilterOperator.Contains => "contains ",
            FilterOperator.StartsWith => "starts with ",
            _ => value == "true" ? "is empty" : "is not empty",
        });
        if (filter.Operator != FilterOperator.IsNull)
        {
            text.Append(value);
        }
    }

    private static string Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"'{value.GetString()}'",
        JsonValueKind.Array => string.Join(", ", value.EnumerateArray().Select(Value)),
        _ => value.GetRawText(),
    };

    private static string? Period(string value)
    {
        switch (value)
        {
            case "today": return "is today";
            case "yesterday": return "is yesterday";
            case "this_week": return "is this week";
            case "this_month": return "is this month";
            case "this_year": return "is this year";
        }
        if (value.StartsWith("last_", StringComparison.Ordinal) && value.Length > 6 && int.TryParse(value.AsSpan(5, value.Length - 6), out var n))
        {
            var unit = value[^1] switch { 'd' => "day", 'w' => "week", 'm' => "month", 'y' => "year", _ => null };
            if (unit is not null)
            {
                return n == 1 ? $"is within the last {unit}" : $"is within the last {n} {unit}s";
            }
        }
        return null;
    }
}
