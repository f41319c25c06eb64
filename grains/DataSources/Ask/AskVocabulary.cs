namespace Mcp.Cluster.DataSources.Ask;

/// <summary>
/// General English the built-in translator knows, independent of any source: filler words, words that mean the same
/// thing as common field names, comparisons, aggregates, time and US state names. Fields and values come from the
/// source's own schema and profile; nothing here names a particular table.
/// </summary>
public static class AskVocabulary
{
    public static readonly HashSet<string> Filler = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "me", "us", "i", "we", "you", "my", "our", "your", "please", "show", "list", "give", "get", "find",
        "display", "tell", "what", "which", "who", "whose", "is", "are", "was", "were", "be", "been", "there", "do", "does",
        "did", "can", "could", "would", "should", "will", "of", "for", "in", "on", "at", "to", "from", "with", "and", "or",
        "that", "this", "these", "those", "all", "any", "some", "every", "each", "by", "per", "as", "it", "its", "their",
        "them", "they", "have", "has", "had", "want", "need", "like", "see", "know", "let", "about", "into", "currently",
        "right", "now", "hi", "hello", "thanks", "thank", "kindly", "just", "only", "also", "whole", "entire", "available",
        "data", "records", "record", "rows", "row", "entries", "entry", "info", "information", "details", "where", "located",
        "one", "ones", "how", "many", "much", "number", "count", "than", "more", "less", "fewer", "over", "under", "above",
        "below", "between", "least", "most", "at", "within", "during", "since", "after", "before", "new", "up", "out",
        "current", "currently", "listed", "pull", "fetch", "return", "retrieve", "look", "looking", "any", "being",
    };

    /// <summary>Groups of words that name the same thing; a field whose name has one of them is named by any of them.</summary>
    private static readonly string[][] SynonymGroups =
    [
        ["salary", "pay", "paying", "paid", "pays", "earn", "earning", "earnings", "compensation", "wage", "wages", "income", "offer", "offering", "offered"],
        ["price", "priced", "cost", "costing", "pricing", "expensive", "cheap", "cheaper", "cheapest", "affordable", "pricey", "priciest", "value", "worth"],
        ["min", "minimum", "starting", "floor", "lower", "least"],
        ["max", "maximum", "ceiling", "upper", "cap", "top"],
        ["location", "city", "place", "town", "region"],
        ["company", "employer", "firm", "organization", "organisation", "business"],
        ["title", "role"],
        ["posted", "post", "posting", "published", "advertised", "listed", "opened"],
        ["bedroom", "bed", "br", "bedrooms", "beds"],
        ["bathroom", "bath", "baths", "bathrooms"],
        ["sqft", "square", "footage", "feet", "size", "sized"],
        ["founded", "established", "founding", "started"],
        ["headquarters", "headquartered", "hq", "based"],
        ["builder", "homebuilder", "developer", "constructor"],
        ["property", "home", "house", "listing", "residence", "unit"],
        ["job", "opening", "vacancy", "opportunity", "posting", "position"],
        ["requirement", "skill", "qualification"],
        ["completion", "completed", "complete", "finished", "finish", "done"],
        ["construction", "building", "built"],
        ["story", "stories", "floor", "level"],
        ["lot", "acre", "acres", "acreage"],
        ["name", "named", "called"],
        ["email", "mail"],
        ["phone", "telephone"],
        ["address", "street"],
        ["date", "day", "when", "time"],
    ];

    private static readonly Dictionary<string, int[]> GroupsOfWord = BuildGroups();

    public static readonly Dictionary<string, string> UsStates = new(StringComparer.Ordinal)
    {
        ["alabama"] = "AL", ["alaska"] = "AK", ["arizona"] = "AZ", ["arkansas"] = "AR", ["california"] = "CA", ["colorado"] = "CO",
        ["connecticut"] = "CT", ["delaware"] = "DE", ["florida"] = "FL", ["georgia"] = "GA", ["hawaii"] = "HI", ["idaho"] = "ID",
        ["illinois"] = "IL", ["indiana"] = "IN", ["iowa"] = "IA", ["kansas"] = "KS", ["kentucky"] = "KY", ["louisiana"] = "LA",
        ["maine"] = "ME", ["maryland"] = "MD", ["massachusetts"] = "MA", ["michigan"] = "MI", ["minnesota"] = "MN",
        ["mississippi"] = "MS", ["missouri"] = "MO", ["montana"] = "MT", ["nebraska"] = "NE", ["nevada"] = "NV",
        ["new hampshire"] = "NH", ["new jersey"] = "NJ", ["new mexico"] = "NM", ["new york state"] = "NY", ["north carolina"] = "NC",
        ["north dakota"] = "ND", ["ohio"] = "OH", ["oklahoma"] = "OK", ["oregon"] = "OR", ["pennsylvania"] = "PA",
        ["rhode island"] = "RI", ["south carolina"] = "SC", ["south dakota"] = "SD", ["tennessee"] = "TN", ["texas"] = "TX",
        ["utah"] = "UT", ["vermont"] = "VT", ["virginia"] = "VA", ["washington state"] = "WA", ["west virginia"] = "WV",
        ["wisconsin"] = "WI", ["wyoming"] = "WY",
    };

    /// <summary>Words (after a number, or before one) that compare: the operator they mean.</summary>
    public static readonly (string Phrase, FilterOperator Operator)[] Comparisons =
    [
        ("more than", FilterOperator.Gt), ("greater than", FilterOperator.Gt), ("higher than", FilterOperator.Gt),
        ("larger than", FilterOperator.Gt), ("bigger than", FilterOperator.Gt), ("over", FilterOperator.Gt),
        ("above", FilterOperator.Gt), ("exceeding", FilterOperator.Gt), ("exceeds", FilterOperator.Gt), ("upwards of", FilterOperator.Gt),
        ("in excess of", FilterOperator.Gt), ("after", FilterOperator.Gt), (">", FilterOperator.Gt),
        ("at least", FilterOperator.Gte), ("no less than", FilterOperator.Gte), ("minimum of", FilterOperator.Gte), ("min", FilterOperator.Gte),
        ("or more", FilterOperator.Gte), ("and up", FilterOperator.Gte), ("starting at", FilterOperator.Gte), ("from", FilterOperator.Gte),
        ("since", FilterOperator.Gte), (">=", FilterOperator.Gte),
        ("less than", FilterOperator.Lt), ("fewer than", FilterOperator.Lt), ("lower than", FilterOperator.Lt),
        ("smaller than", FilterOperator.Lt), ("cheaper than", FilterOperator.Lt), ("under", FilterOperator.Lt), ("below", FilterOperator.Lt),
        ("before", FilterOperator.Lt), ("<", FilterOperator.Lt),
        ("at most", FilterOperator.Lte), ("no more than", FilterOperator.Lte), ("up to", FilterOperator.Lte), ("maximum of", FilterOperator.Lte),
        ("or less", FilterOperator.Lte), ("or fewer", FilterOperator.Lte), ("max", FilterOperator.Lte), ("<=", FilterOperator.Lte),
        ("exactly", FilterOperator.Eq), ("equal to", FilterOperator.Eq), ("equals", FilterOperator.Eq), ("=", FilterOperator.Eq),
    ];

    public static readonly (string Phrase, AggregateFunction Function)[] Aggregates =
    [
        ("how many", AggregateFunction.Count), ("number of", AggregateFunction.Count), ("count of", AggregateFunction.Count),
        ("count", AggregateFunction.Count), ("total number", AggregateFunction.Count), ("tally", AggregateFunction.Count),
        ("average", AggregateFunction.Avg), ("avg", AggregateFunction.Avg), ("mean", AggregateFunction.Avg), ("typical", AggregateFunction.Avg),
        ("maximum", AggregateFunction.Max), ("highest", AggregateFunction.Max), ("largest", AggregateFunction.Max), ("biggest", AggregateFunction.Max),
        ("top", AggregateFunction.Max), ("most expensive", AggregateFunction.Max), ("priciest", AggregateFunction.Max), ("max", AggregateFunction.Max),
        ("minimum", AggregateFunction.Min), ("lowest", AggregateFunction.Min), ("smallest", AggregateFunction.Min), ("cheapest", AggregateFunction.Min),
        ("least expensive", AggregateFunction.Min), ("min", AggregateFunction.Min),
        ("total", AggregateFunction.Sum), ("sum", AggregateFunction.Sum), ("combined", AggregateFunction.Sum),
    ];

    public static readonly string[] Negations = ["not", "except", "excluding", "other than", "without", "aren't", "isn't", "non", "no", "outside", "outside of", "aside from", "don't", "doesn't", "missing", "lacking"];

    public static readonly string[] GroupingLeads = ["for each", "per", "by", "grouped by", "broken down by", "breakdown by", "across", "in each", "each"];

    /// <summary>A word's stem for matching: plurals folded ("properties" → "property", "jobs" → "job").</summary>
    public static string Stem(string word)
    {
        // Plurals, then -ing and -ed ("planning", "planned" → "plan"), then a final e ("price", "priced", "pricing" → "pric"):
        // a light Porter-style folding, applied alike to questions, names and values, so only agreement matters.
        var stem = word;
        if (stem.Length > 4 && stem.EndsWith("ies", StringComparison.Ordinal))
        {
            return stem[..^3] + "y";
        }
        if (stem.Length > 4 && (stem.EndsWith("sses", StringComparison.Ordinal) || stem.EndsWith("ches", StringComparison.Ordinal) || stem.EndsWith("shes", StringComparison.Ordinal)))
        {
            stem = stem[..^2];
        }
        else if (stem.Length > 3 && stem.EndsWith('s') && !stem.EndsWith("ss", StringComparison.Ordinal) && !stem.EndsWith("us", StringComparison.Ordinal))
        {
            stem = stem[..^1];
        }
        if (stem.Length > 5 && stem.EndsWith("ing", StringComparison.Ordinal))
        {
            stem = Undouble(stem[..^3]);
        }
        else if (stem.Length > 4 && stem.EndsWith("ed", StringComparison.Ordinal) && !stem.EndsWith("eed", StringComparison.Ordinal))
        {
            stem = Undouble(stem[..^2]);
        }
        if (stem.Length > 3 && stem.EndsWith('e'))
        {
            stem = stem[..^1];
        }
        return stem;

        static string Undouble(string s) =>
            s.Length > 2 && s[^1] == s[^2] && s[^1] is not ('l' or 's' or 'z') && !"aeiou".Contains(s[^1]) ? s[..^1] : s;
    }

    /// <summary>Whether a question's word names a part of a field or table name ("paying" names <c>salary</c>).</summary>
    public static bool Names(string word, string namePart)
    {
        var w = Stem(word);
        var p = Stem(namePart);
        if (w == p || word == namePart)
        {
            return true;
        }
        if (GroupsOfWord.TryGetValue(w, out var groups) || GroupsOfWord.TryGetValue(word, out groups))
        {
            if (GroupsOfWord.TryGetValue(p, out var partGroups) || GroupsOfWord.TryGetValue(namePart, out partGroups))
            {
                return groups.Intersect(partGroups).Any();
            }
        }
        return false;
    }

    private static Dictionary<string, int[]> BuildGroups()
    {
        var map = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var g = 0; g < SynonymGroups.Length; g++)
        {
            foreach (var word in SynonymGroups[g])
            {
                foreach (var form in new[] { word, Stem(word) })
                {
                    if (!map.TryGetValue(form, out var list))
                    {
                        map[form] = list = [];
                    }
                    if (!list.Contains(g))
                    {
                        list.Add(g);
                    }
                }
            }
        }
        return map.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }
}
