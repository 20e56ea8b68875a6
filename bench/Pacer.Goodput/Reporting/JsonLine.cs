using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pacer.Goodput.Reporting;

/// <summary>How every result is written as one JSON line: camelCase, NaN allowed (a latency of no request).</summary>
internal static class JsonLine
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
