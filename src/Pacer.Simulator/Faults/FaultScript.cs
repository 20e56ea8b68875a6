using System.Globalization;
using Pacer.Simulator.Options;

namespace Pacer.Simulator.Faults;

/// <summary>
/// Parses fault scripts: comma-separated steps, each <c>name[:arg][*times]</c>, for example
/// <c>429:2,ok</c> (429 with retry-after 2, then OK) or <c>529*3,ok</c>. Names: ok, 429, 500, 503, 504, 529,
/// overloaded, spend-limit, reset, no-response, slow[:ms], cut[:n], stall[:n], malformed[:n], error-event[:n].
/// For status faults the argument is the retry-after in seconds or <c>none</c>.
/// </summary>
internal static class FaultScript
{
    public const int DefaultEventCount = 3;
    private static readonly int[] Statuses = [429, 500, 503, 504, 529];

    public static IReadOnlyList<FaultStep> Parse(string script, FaultOptions options)
    {
        ArgumentNullException.ThrowIfNull(script);
        var steps = new List<FaultStep>();
        foreach (var raw in script.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (text, times) = SplitTimes(raw);
            var step = ParseStep(text, options);
            for (var i = 0; i < times; i++)
            {
                steps.Add(step);
            }
        }

        return steps.Count > 0 ? steps : throw new FormatException("A fault script needs at least one step, for example '429:2,ok'.");
    }

    /// <summary>Parses random fault rates: <c>529=0.05, reset=0.01</c>.</summary>
    public static IReadOnlyList<(FaultStep Step, double Rate)> ParseRates(string rates, FaultOptions options)
    {
        var result = new List<(FaultStep, double)>();
        foreach (var pair in (rates ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.LastIndexOf('=');
            if (equals < 0 || !double.TryParse(pair[(equals + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) || rate is < 0 or > 1)
            {
                throw new FormatException($"Fault rate '{pair}': write step=probability with a probability from 0 to 1, for example 529=0.05.");
            }

            result.Add((ParseStep(pair[..equals].Trim(), options), rate));
        }

        return result.Sum(r => r.Item2) <= 1 + 1e-9
            ? result
            : throw new FormatException($"Fault rates '{rates}' add up to more than 1.");
    }

    public static FaultStep ParseStep(string text, FaultOptions options)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var name = (colon < 0 ? text : text[..colon]).Trim().ToLowerInvariant();
        var arg = colon < 0 ? null : text[(colon + 1)..].Trim();
        var canonical = arg is null ? name : $"{name}:{arg}";
        if (name == "overloaded")
        {
            name = "529";
        }

        if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            if (!Statuses.Contains(status))
            {
                throw new FormatException($"Unknown fault status '{name}': use one of {string.Join(", ", Statuses)}.");
            }

            int? retryAfter = arg switch
            {
                null => status == 429 ? options.RetryAfterSeconds : null,
                "none" => null,
                _ => Number(arg, canonical),
            };
            return new FaultStep(FaultKind.Status, canonical, status, retryAfter);
        }

        return name switch
        {
            "ok" => FaultStep.Ok,
            "spend-limit" => new FaultStep(FaultKind.SpendLimit, canonical, 429),
            "reset" => new FaultStep(FaultKind.Reset, canonical),
            "no-response" => new FaultStep(FaultKind.NoResponse, canonical),
            "slow" => new FaultStep(FaultKind.Slow, canonical, Argument: arg is null ? options.SlowFirstTokenMs : Number(arg, canonical)),
            "cut" => Stream(FaultKind.Cut, arg, canonical),
            "stall" => Stream(FaultKind.Stall, arg, canonical),
            "malformed" => Stream(FaultKind.Malformed, arg, canonical),
            "error-event" => Stream(FaultKind.ErrorEvent, arg, canonical),
            _ => throw new FormatException(
                $"Unknown fault '{name}': use ok, 429, 500, 503, 504, 529, overloaded, spend-limit, reset, no-response, slow, cut, stall, malformed or error-event."),
        };
    }

    private static FaultStep Stream(FaultKind kind, string? arg, string canonical) =>
        new(kind, canonical, Argument: arg is null ? DefaultEventCount : Number(arg, canonical));

    private static (string Text, int Times) SplitTimes(string raw)
    {
        var star = raw.LastIndexOf('*');
        return star < 0 ? (raw, 1) : (raw[..star].Trim(), Math.Max(1, Number(raw[(star + 1)..].Trim(), raw)));
    }

    private static int Number(string text, string step) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"Fault step '{step}': '{text}' is not a whole number.");
}
