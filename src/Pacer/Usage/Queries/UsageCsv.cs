using System.Globalization;

namespace Pacer.Usage;

/// <summary>
/// Writes a <see cref="UsageReport"/> as CSV (RFC 4180: CRLF line ends, a header row, fields holding a comma,
/// a quote, CR or LF are quoted and their quotes doubled). One line per row; the group columns come first.
/// </summary>
public static class UsageCsv
{
    /// <summary>The media type of the output.</summary>
    public const string ContentType = "text/csv; charset=utf-8; header=present";

    private static readonly string[] Metrics =
    [
        "requests", "failedRequests", "unpricedRequests", "inputTokens", "outputTokens", "cacheWrite5mTokens",
        "cacheWrite1hTokens", "cacheReadTokens", "costUsd", "credits",
    ];

    /// <summary>Writes the report to <paramref name="writer"/>.</summary>
    public static async Task WriteAsync(TextWriter writer, UsageReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(report);
        var groups = report.Query.GroupBy;
        await WriteLineAsync(writer, [.. groups.Select(UsageReportJson.Name), .. Metrics], cancellationToken).ConfigureAwait(false);
        foreach (var row in report.Rows)
        {
            await WriteLineAsync(writer, Fields(row, groups), cancellationToken).ConfigureAwait(false);
        }

        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Returns the report as CSV text.</summary>
    public static string ToCsv(UsageReport report)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        WriteAsync(writer, report).GetAwaiter().GetResult();
        return writer.ToString();
    }

    /// <summary>Quotes one field when RFC 4180 requires it.</summary>
    public static string Escape(string? field)
    {
        if (string.IsNullOrEmpty(field))
        {
            return string.Empty;
        }

        return field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
    }

    private static string?[] Fields(UsageTotals row, IReadOnlyList<UsageGroup> groups)
    {
        var keys = groups.Select(group => group switch
        {
            UsageGroup.User => row.User,
            UsageGroup.Endpoint => row.Endpoint,
            UsageGroup.Model => row.Model,
            _ => row.Day is { } day ? UsageReportJson.Day(day) : null,
        });
        long[] counts = [row.Requests, row.FailedRequests, row.UnpricedRequests, row.InputTokens, row.OutputTokens,
            row.CacheWrite5mTokens, row.CacheWrite1hTokens, row.CacheReadTokens];
        return
        [
            .. keys,
            .. counts.Select(c => c.ToString(CultureInfo.InvariantCulture)),
            row.CostUsd.ToString(CultureInfo.InvariantCulture),
            row.Credits.ToString(CultureInfo.InvariantCulture),
        ];
    }

    private static async Task WriteLineAsync(TextWriter writer, IEnumerable<string?> fields, CancellationToken cancellationToken)
    {
        await writer.WriteAsync(string.Join(',', fields.Select(Escape)).AsMemory(), cancellationToken).ConfigureAwait(false);
        await writer.WriteAsync("\r\n".AsMemory(), cancellationToken).ConfigureAwait(false);
    }
}
