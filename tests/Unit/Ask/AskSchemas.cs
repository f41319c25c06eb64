using Mcp.Cluster.DataSources;

namespace Mcp.Cluster.Tests.Unit.Ask;

/// <summary>Schemas shaped like the sample sources, as a caller with full access sees them, for translator tests.</summary>
internal static class AskSchemas
{
    public static readonly string[] Titles = ["Data Engineer", "Data Scientist", "Senior Software Engineer", "Software Engineer", "Product Manager", "QA Engineer"];

    public static readonly string[] Locations = ["Austin, TX", "Boston, MA", "Denver, CO", "Remote", "Seattle, WA"];

    public static AskTable Jobs(bool withLocation = true, bool maskLocation = false) => new("jobs",
    [
        new AskField("job_id", "job_id", DataType.Integer, null, false),
        new AskField("title", "title", DataType.Text, Titles, false),
        new AskField("company", "company", DataType.Text, ["Globex", "Hooli", "Initech"], false),
        .. withLocation ? [new AskField("location", "location", DataType.Text, maskLocation ? null : Locations, maskLocation)] : Array.Empty<AskField>(),
        new AskField("salary_range", "salary_range", DataType.Object, null, false),
        new AskField("salary_range.currency", "salary_range", DataType.Text, ["USD"], false),
        new AskField("salary_range.max", "salary_range", DataType.Integer, null, false),
        new AskField("salary_range.min", "salary_range", DataType.Integer, null, false),
        new AskField("requirements", "requirements", DataType.Array, null, false),
        new AskField("posted_date", "posted_date", DataType.Datetime, null, false),
        new AskField("status", "status", DataType.Text, ["active", "closed", "filled"], false),
    ], FullySampled: true);

    public static AskTable Builders(bool maskEmail = true) => new("builders",
    [
        new AskField("builder_id", "builder_id", DataType.Integer, null, false),
        new AskField("name", "name", DataType.Text, ["Bluebonnet Homes", "Magnolia Living", "Summit Homes"], false),
        new AskField("headquarters", "headquarters", DataType.Text, ["Austin, TX", "Dallas, TX", "Denver, CO", "Seattle, WA"], false),
        new AskField("contact_email", "contact_email", DataType.Text, maskEmail ? null : ["sales@summithomes.example"], maskEmail),
        new AskField("founded_year", "founded_year", DataType.Integer, null, false),
    ], FullySampled: true);

    public static AskTable Properties() => new("properties",
    [
        new AskField("property_id", "property_id", DataType.Integer, null, false),
        new AskField("builder_id", "builder_id", DataType.Integer, null, false),
        new AskField("location", "location", DataType.Object, null, false),
        new AskField("location.address", "location", DataType.Text, null, false),
        new AskField("location.city", "location", DataType.Text, ["Austin", "Denver", "Seattle"], false),
        new AskField("location.state", "location", DataType.Text, ["CO", "TX", "WA"], false),
        new AskField("specs", "specs", DataType.Object, null, false),
        new AskField("specs.bedrooms", "specs", DataType.Integer, null, false),
        new AskField("specs.sqft", "specs", DataType.Integer, null, false),
        new AskField("pricing", "pricing", DataType.Object, null, false),
        new AskField("pricing.base_price", "pricing", DataType.Integer, null, false),
        new AskField("pricing.price_per_sqft", "pricing", DataType.Integer, null, false),
        new AskField("construction_status", "construction_status", DataType.Text, ["completed", "framing", "planned"], false),
        new AskField("completion_date", "completion_date", DataType.Date, null, false),
    ], FullySampled: true);

    public static AskSchema JobsDb(params DataQuestionExample[] examples) => new("jobs_db", [Jobs()], examples);

    public static AskSchema HomebuildersDb() => new("homebuilders_db", [Builders(), Properties()], []);
}
