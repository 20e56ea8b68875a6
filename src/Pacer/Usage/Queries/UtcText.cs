using System.Globalization;

namespace Pacer.Usage;

/// <summary>Writes moments the one way the usage API shows them: UTC, ISO 8601, fraction only when there is one.</summary>
internal static class UtcText
{
    public static string Iso(DateTimeOffset moment) =>
        moment.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
