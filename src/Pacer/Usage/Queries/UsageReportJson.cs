using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Pacer.Usage;

/// <summary>
/// Writes a <see cref="UsageReport"/> as the admin API's JSON (camelCase; costs as exact decimal numbers):
/// <c>{"from":..,"to":..,"user":..,"groupBy":[..],"total":{..},"rows":[{"user":..,"day":"2025-01-31",..}]}</c>.
/// </summary>
public static class UsageReportJson
{
    /// <summary>The media type of the output.</summary>
    public const string ContentType = "application/json; charset=utf-8";

    /// <summary>Writes the report to <paramref name="writer"/>.</summary>
    public static void Write(Utf8JsonWriter writer, UsageReport report)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(report);
        var query = report.Query;
        writer.WriteStartObject();
        WriteMoment(writer, "from", query.From);
        WriteMoment(writer, "to", query.To);
        writer.WriteString("user", query.User);
        writer.WriteStartArray("groupBy");
        foreach (var group in query.GroupBy)
        {
            writer.WriteStringValue(Name(group));
        }

        writer.WriteEndArray();
        writer.WritePropertyName("total");
        WriteTotals(writer, report.Total, []);
        writer.WriteStartArray("rows");
        foreach (var row in report.Rows)
        {
            WriteTotals(writer, row, query.GroupBy);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Writes the report to <paramref name="stream"/> as UTF-8.</summary>
    public static async Task WriteAsync(Stream stream, UsageReport report, CancellationToken cancellationToken = default)
    {
        var writer = new Utf8JsonWriter(stream);
        await using (writer.ConfigureAwait(false))
        {
            Write(writer, report);
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Returns the report as a JSON string.</summary>
    public static string ToJson(UsageReport report)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, report);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    internal static string Name(UsageGroup group) => group switch
    {
        UsageGroup.User => "user",
        UsageGroup.Endpoint => "endpoint",
        UsageGroup.Model => "model",
        _ => "day",
    };

    internal static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static void WriteTotals(Utf8JsonWriter writer, UsageTotals totals, IReadOnlyList<UsageGroup> groups)
    {
        writer.WriteStartObject();
        foreach (var group in groups)
        {
            var key = group switch
            {
                UsageGroup.User => totals.User,
                UsageGroup.Endpoint => totals.Endpoint,
                UsageGroup.Model => totals.Model,
                _ => totals.Day is { } day ? Day(day) : null,
            };
            writer.WriteString(Name(group), key);
        }

        writer.WriteNumber("requests", totals.Requests);
        writer.WriteNumber("failedRequests", totals.FailedRequests);
        writer.WriteNumber("unpricedRequests", totals.UnpricedRequests);
        writer.WriteNumber("inputTokens", totals.InputTokens);
        writer.WriteNumber("outputTokens", totals.OutputTokens);
        writer.WriteNumber("cacheWrite5mTokens", totals.CacheWrite5mTokens);
        writer.WriteNumber("cacheWrite1hTokens", totals.CacheWrite1hTokens);
        writer.WriteNumber("cacheReadTokens", totals.CacheReadTokens);
        writer.WriteNumber("costUsd", totals.CostUsd);
        writer.WriteNumber("credits", totals.Credits);
        writer.WriteEndObject();
    }

    private static void WriteMoment(Utf8JsonWriter writer, string name, DateTimeOffset? moment)
    {
        if (moment is { } m)
        {
            writer.WriteString(name, UtcText.Iso(m));
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
