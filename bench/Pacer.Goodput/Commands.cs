using System.Globalization;
using Pacer.Goodput.Measuring;
using Pacer.Goodput.Overhead;
using Pacer.Goodput.Scale;
using Pacer.Goodput.Systems;
using Pacer.Goodput.Workloads;
using Pacer.Simulator.Options;

namespace Pacer.Goodput;

/// <summary>
/// The harness's commands: <c>goodput</c>, <c>overhead</c> and <c>scale</c> (each with <c>--quick</c> for a smoke
/// run), and <c>forwarder</c>, the bare forwarder the overhead benchmark starts in a process of its own.
/// </summary>
internal static class Commands
{
    private const string Usage = """
        Pacer benchmark harness (Release build: dotnet run -c Release --project bench/Pacer.Goodput -- COMMAND)
          goodput  [--quick] [--systems 1,2,3,4,5] [--burst-seconds 5] [--output-accounting actual|reserve]
                   [--remaining-rounding 1000] [--max-tokens N (all requests)] [--mean-output-tokens 30] [--out results.jsonl]
                   [--output-reservation max_tokens|estimate (systems 4 and 5)]
          overhead [--quick] [--gateway-env NAME=VALUE,...] [--out results.jsonl]
          scale    [--quick] [--out results.jsonl]
          forwarder --upstream URL   (started by overhead: a bare YARP forwarder on a free loopback port)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        var options = Options(args.Skip(1).ToArray());
        var quick = options.ContainsKey("--quick");
        Console.WriteLine(MachineInfo.Describe());
        IReadOnlyList<string> jsonLines;
        switch (args[0])
        {
            case "goodput":
                var results = await new GoodputBenchmark(GoodputSettingsFrom(options, quick), Console.Out).RunAsync();
                jsonLines = [.. results.Select(r => r.ToJsonLine())];
                break;
            case "overhead":
                jsonLines = await new OverheadBenchmark(OverheadSettingsFrom(options, quick), Console.Out).RunAsync();
                break;
            case "scale":
                jsonLines = await new ScaleBenchmark(quick ? ScaleSettings.Quick : ScaleSettings.Full, Console.Out).RunAsync();
                break;
            case "forwarder":
                await Forwarder.RunAsync(new Uri(options.GetValueOrDefault("--upstream") ?? throw new ArgumentException("forwarder needs --upstream URL")));
                return 0;
            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }

        if (options.GetValueOrDefault("--out") is { } path)
        {
            await File.AppendAllLinesAsync(path, jsonLines);
        }

        return 0;
    }

    private static GoodputSettings GoodputSettingsFrom(Dictionary<string, string?> options, bool quick)
    {
        var settings = new GoodputSettings { Workload = quick ? WorkloadSpec.Quick : WorkloadSpec.Full };
        if (options.GetValueOrDefault("--systems") is { } systems)
        {
            settings = settings with { Systems = systems.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToHashSet() };
        }

        if (options.GetValueOrDefault("--burst-seconds") is { } burst)
        {
            settings = settings with { Limits = settings.Limits with { BurstSeconds = double.Parse(burst, CultureInfo.InvariantCulture) } };
        }

        if (options.GetValueOrDefault("--output-accounting") is { } accounting)
        {
            settings = settings with { OutputAccounting = Enum.Parse<OutputAccounting>(accounting, ignoreCase: true) };
        }

        if (options.GetValueOrDefault("--output-reservation") is { } reservation)
        {
            settings = settings with
            {
                OutputReservation = reservation.Replace("_", string.Empty, StringComparison.Ordinal) is var name && Enum.TryParse<Pacer.Configuration.OutputReservation>(name, ignoreCase: true, out var mode) && Enum.IsDefined(mode)
                    ? mode
                    : throw new ArgumentException($"--output-reservation: '{reservation}' is not max_tokens, estimate or auto"),
            };
        }

        if (options.GetValueOrDefault("--max-tokens") is { } maxTokens)
        {
            settings = settings with { Workload = settings.Workload with { FixedMaxTokens = int.Parse(maxTokens, CultureInfo.InvariantCulture) } };
        }

        if (options.GetValueOrDefault("--mean-output-tokens") is { } meanOutput)
        {
            settings = settings with { MeanOutputTokens = int.Parse(meanOutput, CultureInfo.InvariantCulture) };
        }

        if (options.GetValueOrDefault("--remaining-rounding") is { } rounding)
        {
            settings = settings with { RemainingRounding = int.Parse(rounding, CultureInfo.InvariantCulture) };
        }

        return settings;
    }

    private static OverheadSettings OverheadSettingsFrom(Dictionary<string, string?> options, bool quick)
    {
        var settings = quick ? OverheadSettings.Quick : OverheadSettings.Full;
        if (options.GetValueOrDefault("--gateway-env") is not { } extra)
        {
            return settings;
        }

        // Extra gateway settings, for example Logging__LogLevel__Default=Warning to see what its request log costs.
        var environment = new Dictionary<string, string>(settings.GatewaySettings);
        foreach (var pair in extra.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            environment[parts[0]] = parts.Length == 2 ? parts[1] : throw new ArgumentException($"--gateway-env takes NAME=VALUE pairs, not '{pair}'.");
        }

        return settings with { GatewaySettings = environment };
    }

    /// <summary>Reads <c>--name value</c> pairs and bare <c>--flag</c>s.</summary>
    private static Dictionary<string, string?> Options(string[] args)
    {
        var options = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'.{Environment.NewLine}{Usage}");
            }

            var hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            options[args[i]] = hasValue ? args[++i] : null;
        }

        return options;
    }
}
