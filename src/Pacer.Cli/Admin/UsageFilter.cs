using System.Text;

namespace Pacer.Cli.Admin;

/// <summary>The filters of <c>pacer usage</c>, passed to the admin API as its query parameters.</summary>
internal sealed record UsageFilter(string? From, string? To, string? User, string? GroupBy)
{
    public string Query()
    {
        var query = new StringBuilder();
        Add(query, "from", From);
        Add(query, "to", To);
        Add(query, "user", User);
        Add(query, "groupBy", GroupBy);
        return query.ToString();
    }

    private static void Add(StringBuilder query, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }
    }
}
