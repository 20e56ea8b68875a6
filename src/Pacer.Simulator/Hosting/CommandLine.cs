using System.Globalization;

namespace Pacer.Simulator.Hosting;

/// <summary>
/// The standalone program's flags. Each sets one configuration key under <c>Simulator:</c>, so a flag, an
/// environment variable (<c>Simulator__Limits__RequestsPerMinute</c>) and appsettings.json set the same option.
/// </summary>
internal static class CommandLine
{
    /// <summary>Flag → (configuration key, help). A key ending in ':' takes repeated values (a list).</summary>
    public static readonly IReadOnlyDictionary<string, (string Key, string Help)> Flags = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
    {
        ["--port"] = ("Port", "port to listen on (default 4000; 0 = any free port)"),
        ["--host"] = ("Host", "address to listen on: an IP, localhost or * (default 127.0.0.1)"),
        ["--rpm"] = ("Limits:RequestsPerMinute", "requests per minute per key and pool (default 50)"),
        ["--itpm"] = ("Limits:InputTokensPerMinute", "input tokens per minute per key and pool (default 30000)"),
        ["--otpm"] = ("Limits:OutputTokensPerMinute", "output tokens per minute per key and pool (default 8000)"),
        ["--burst-seconds"] = ("Limits:BurstSeconds", "seconds of refill a bucket holds (default 60; 1 = 60 RPM as 1 per second)"),
        ["--output-accounting"] = ("Limits:OutputAccounting", "reserve (max_tokens, then refund) or actual (default reserve)"),
        ["--remaining-rounding"] = ("Limits:RemainingRounding", "round token remaining headers to this (default 1000; 1 = exact)"),
        ["--count-tokens-rpm"] = ("Limits:CountTokensRequestsPerMinute", "count_tokens requests per minute per key (default 100)"),
        ["--api-key"] = ("ApiKeys:", "accept this key (repeatable; default: any key)"),
        ["--organization-id"] = ("OrganizationId", "value of anthropic-organization-id"),
        ["--max-body-bytes"] = ("MaxRequestBodyBytes", "largest request body (default 33554432)"),
        ["--seed"] = ("Seed", "seed of replies, jitter, ids and random faults (default 1)"),
        ["--zero-latency"] = ("Latency:Enabled=false", "answer at once (no time to first token, no generation time)"),
        ["--ttft-ms"] = ("Latency:TimeToFirstTokenMs", "mean time to first token in ms (default 400)"),
        ["--tokens-per-second"] = ("Latency:TokensPerSecond", "mean generation speed (default 80)"),
        ["--jitter"] = ("Latency:Jitter", "relative jitter of delays, 0–1 (default 0.2)"),
        ["--mean-output-tokens"] = ("Output:MeanTokens", "mean reply length in tokens (default 120)"),
        ["--max-tokens-rate"] = ("Output:MaxTokensRate", "share of replies that run to max_tokens (default 0.05)"),
        ["--fault-rates"] = ("Faults:Rates", "random faults, e.g. \"529=0.05,429:none=0.01,reset=0.01\""),
        ["--fault-retry-after"] = ("Faults:RetryAfterSeconds", "retry-after of an injected 429 that names none (default 1)"),
        ["--hang-ms"] = ("Faults:HangMs", "how long stall and no-response hold the connection (default 600000)"),
        ["--spend-cap-usd"] = ("Spend:MonthlyCapUsd", "monthly spend cap per key in USD (default 0 = none)"),
        ["--acceleration"] = ("Acceleration:Enabled=true", "enforce the acceleration (ramp) limit"),
        ["--config"] = ("", "a JSON file with a \"Simulator\" section (pools, models, ...)"),
    };

    /// <summary>Turns the arguments into configuration values; throws <see cref="FormatException"/> on an unknown or incomplete flag.</summary>
    public static (Dictionary<string, string?> Values, List<string> ConfigFiles, bool Help) Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var files = new List<string>();
        var lists = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h" or "-?")
            {
                return (values, files, true);
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var flag = equals > 0 ? arg[..equals] : arg;
            if (!Flags.TryGetValue(flag, out var target))
            {
                throw new FormatException($"Unknown option '{flag}'. Run with --help to see every option.");
            }

            if (target.Key.Contains('=', StringComparison.Ordinal))
            {
                var (key, value) = (target.Key[..target.Key.IndexOf('=', StringComparison.Ordinal)], target.Key[(target.Key.IndexOf('=', StringComparison.Ordinal) + 1)..]);
                values[$"Simulator:{key}"] = value;
                continue;
            }

            string value2;
            if (equals > 0)
            {
                value2 = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value2 = args[++i];
            }
            else
            {
                throw new FormatException($"Option '{flag}' needs a value ({target.Help}).");
            }

            if (flag == "--config")
            {
                files.Add(value2);
            }
            else if (target.Key.EndsWith(':'))
            {
                var index = lists.GetValueOrDefault(target.Key);
                lists[target.Key] = index + 1;
                values[$"Simulator:{target.Key}{index.ToString(CultureInfo.InvariantCulture)}"] = value2;
            }
            else
            {
                values[$"Simulator:{target.Key}"] = value2;
            }
        }

        return (values, files, false);
    }

    public static string Help()
    {
        var lines = Flags.Select(f => $"  {f.Key,-22} {f.Value.Help}");
        return "Pacer.Simulator: a stand-in for the Anthropic API (limits, headers, errors, streams, latency, faults)."
            + Environment.NewLine + Environment.NewLine
            + "Usage: dotnet run --project src/Pacer.Simulator -- [options]" + Environment.NewLine + Environment.NewLine
            + string.Join(Environment.NewLine, lines) + Environment.NewLine + Environment.NewLine
            + "Every option can also be set under \"Simulator\" in appsettings.json or as an environment variable such as"
            + Environment.NewLine + "Simulator__Limits__RequestsPerMinute=50. See docs/SIMULATOR.md." + Environment.NewLine;
    }
}
