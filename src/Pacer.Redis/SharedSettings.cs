using System.Globalization;
using System.Text;

namespace Pacer.Redis;

/// <summary>
/// A settings change made through one instance's admin API, as the others receive it: the values by their JSON names
/// (<c>maxRequestsPerMinute</c>, ...), or none for "back to each instance's environment".
/// </summary>
/// <param name="Origin">The instance that made the change (its limiter's <c>InstanceId</c>).</param>
/// <param name="Values">The values set, or null for a reset.</param>
public sealed record SharedSettings(string Origin, IReadOnlyDictionary<string, double>? Values)
{
    /// <summary>Gets the change as one line: <c>origin|reset</c> or <c>origin|name=value,name=value</c>.</summary>
    public string Encode()
    {
        var text = new StringBuilder(Origin).Append('|');
        if (Values is null)
        {
            return text.Append("reset").ToString();
        }

        var first = true;
        foreach (var (name, value) in Values)
        {
            text.Append(first ? string.Empty : ",").Append(name).Append('=').Append(value.ToString("R", CultureInfo.InvariantCulture));
            first = false;
        }

        return text.ToString();
    }

    /// <summary>Reads a line written by <see cref="Encode"/>; null when it is not one.</summary>
    public static SharedSettings? Decode(string? line)
    {
        var split = line?.IndexOf('|', StringComparison.Ordinal) ?? -1;
        if (split <= 0)
        {
            return null;
        }

        var origin = line![..split];
        var body = line[(split + 1)..];
        if (body == "reset")
        {
            return new SharedSettings(origin, null);
        }

        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var pair in body.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !double.TryParse(pair[(equals + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                return null;
            }

            values[pair[..equals]] = value;
        }

        return new SharedSettings(origin, values);
    }
}
