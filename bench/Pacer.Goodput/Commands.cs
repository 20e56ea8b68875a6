using System.Globalization;
using System.Numerics;
using Pacer.Goodput.Hostile;
using Pacer.Goodput.Measuring;
using Pacer.Goodput.Overhead;
using Pacer.Goodput.Scale;
using Pacer.Goodput.ScaleOut;
using Pacer.Goodput.Soak;
using Pacer.Goodput.Systems;
using Pacer.Goodput.Workloads;
using Pacer.Simulator.Options;

namespace Pacer.Goodput;

/// <summary>
/// The harness's commands: <c>goodput</c>, <c>overhead</c>, <c>scale</c> and <c>scale-out</c> (each with <c>--quick</c> for a smoke
/// run), and <c>forwarder</c>, the bare forwarder the overhead benchmark starts in a process of its own.
/// </summary>
internal static class Commands
{
    private const string Usage = """
        Pacer benchmark harness (Release build: dotnet run -c Release --project bench/Pacer.Goodput -- COMMAND)
          goodput  [--quick] [--systems 1,2,3,4,5] [--burst-seconds 5] [--output-accounting actual|reserve]
                   [--remaining-rounding 1000] [--max-tokens N (all requests)] [--mean-output-tokens 30] [--out results.jsonl]
                   [--output-reservation max_tokens|estimate (systems 4 and 5)]
          goodput-shapes [--shapes burst2s-requests,...] [--systems 1,2,3,4,5] [--repeat 1-20] [--out results.jsonl]
                   (every shape of limit: short bursts by binding budget, a whole-minute bucket, a tiny output bucket,
                    output produced or reserved, an account above the seed's ranges; about half an hour)
          overhead [--quick] [--gateway-env NAME=VALUE,...] [--out results.jsonl]
          scale    [--quick] [--out results.jsonl]
          scale-out [--quick] [--concurrency 10] [--lease-seconds 2-300 (default: the gateway's, 10)] [--out results.jsonl]
                   (three gateways on one Redis, three on in-memory stores, one alone, then one of three killed mid-run;
                    starts its own redis-server and simulator)
          soak     [--minutes 30] [--out results.jsonl]   (the gateway at 1,000 RPM and 50 concurrent against a simulator
                   injecting 529s, resets, stalled and cut streams; memory, GC heap, threads and handles sampled every 10 s)
          crash-probe [--rate 1000] [--seconds 5] [--runs 5]   (requests at a fixed rate through a gateway SIGKILLed after
                   the given time: answers missing from its usage ledger, and how old)
          shared-admission [--redis URL] [--requests 9000]   (starts its own redis-server unless --redis is given)
          hostile  [--quick] [--idle 10000] [--slowloris 1000] [--out results.jsonl]
                   (idle connections and slowloris clients against a gateway while two normal clients are measured)
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

        if (args[0] == "shared-admission")
        {
            var shared = Options(args.Skip(1).ToArray());
            var count = shared.TryGetValue("--requests", out var text) && int.TryParse(text, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 9000;
            return await Shared.SharedAdmissionBenchmark.RunAsync(shared.GetValueOrDefault("--redis"), count);
        }

        Dictionary<string, string?> options;
        GoodputSettings? goodput = null;
        IReadOnlyList<Shapes.GoodputShape>? shapes = null;
        IReadOnlySet<int>? shapeSystems = null;
        var shapeRepeat = 1;
        OverheadSettings? overhead = null;
        ScaleOutSettings? scaleOut = null;
        HostileSettings? hostile = null;
        SoakSettings? soak = null;
        CrashProbeSettings? crash = null;
        try
        {
            // Every option is read before anything runs, so a bad one costs no benchmark time.
            options = Options(args.Skip(1).ToArray());
            var quickRun = options.ContainsKey("--quick");
            goodput = args[0] == "goodput" ? GoodputSettingsFrom(options, quickRun) : null;
            if (args[0] == "goodput-shapes")
            {
                shapes = options.GetValueOrDefault("--shapes") is { } names ? Shapes.GoodputShape.Named(names) : Shapes.GoodputShape.All;
                shapeSystems = options.GetValueOrDefault("--systems") is { } systems ? SystemsFrom(systems) : null;
                shapeRepeat = options.GetValueOrDefault("--repeat") is { } repeat ? Number("--repeat", repeat, 1, 20) : 1;
            }
            overhead = args[0] == "overhead" ? OverheadSettingsFrom(options, quickRun) : null;
            scaleOut = args[0] == "scale-out" ? ScaleOutSettingsFrom(options, quickRun) : null;
            hostile = args[0] == "hostile" ? HostileSettingsFrom(options, quickRun) : null;
            crash = args[0] == "crash-probe"
                ? new CrashProbeSettings(
                    options.GetValueOrDefault("--rate") is { } rate ? Number("--rate", rate, 1, 100_000) : 1000,
                    options.GetValueOrDefault("--seconds") is { } seconds ? Number("--seconds", seconds, 0.5, 600.0) : 5,
                    options.GetValueOrDefault("--runs") is { } runs ? Number("--runs", runs, 1, 100) : 5)
                : null;
            soak = args[0] == "soak" ? new SoakSettings { Duration = TimeSpan.FromMinutes(options.GetValueOrDefault("--minutes") is { } minutes ? Number("--minutes", minutes, 0.5, 1440.0) : 30) } : null;
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"{e.Message}{Environment.NewLine}{Usage}");
            return 2;
        }

        var quick = options.ContainsKey("--quick");
        Console.WriteLine(MachineInfo.Describe());
        IReadOnlyList<string> jsonLines;
        switch (args[0])
        {
            case "goodput":
                var results = await new GoodputBenchmark(goodput!, Console.Out).RunAsync();
                jsonLines = [.. results.Select(r => r.ToJsonLine())];
                break;
            case "goodput-shapes":
                var shaped = await new Shapes.ShapesBenchmark(shapes!, shapeSystems, Console.Out, shapeRepeat).RunAsync();
                jsonLines = [.. shaped.SelectMany(s => s.Results.Select(r => $"{{\"shape\":\"{s.Shape.Name}\",\"pass\":{s.Pass},\"idealBinding\":\"{s.Ideal.Binding}\",\"result\":{r.ToJsonLine()}}}"))];
                break;
            case "overhead":
                jsonLines = await new OverheadBenchmark(overhead!, Console.Out).RunAsync();
                break;
            case "scale":
                jsonLines = await new ScaleBenchmark(quick ? ScaleSettings.Quick : ScaleSettings.Full, Console.Out).RunAsync();
                break;
            case "scale-out":
                var scaled = await new ScaleOutBenchmark(scaleOut!, Console.Out).RunAsync();
                jsonLines = [.. scaled.Select(r => r.ToJsonLine())];
                break;
            case "hostile":
                jsonLines = await new HostileBenchmark(hostile!, Console.Out).RunAsync();
                break;
            case "soak":
                jsonLines = [await new SoakBenchmark(soak!, Console.Out).RunAsync()];
                break;
            case "crash-probe":
                jsonLines = await new GatewayCrashProbe(crash!, Console.Out).RunAsync();
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

    /// <summary>The goodput settings the options ask for; throws <see cref="ArgumentException"/> naming a bad option and its value.</summary>
    internal static GoodputSettings GoodputSettingsFrom(Dictionary<string, string?> options, bool quick)
    {
        var settings = new GoodputSettings { Workload = quick ? WorkloadSpec.Quick : WorkloadSpec.Full };
        if (options.GetValueOrDefault("--systems") is { } systems)
        {
            settings = settings with { Systems = SystemsFrom(systems) };
        }

        if (options.GetValueOrDefault("--burst-seconds") is { } burst)
        {
            settings = settings with { Limits = settings.Limits with { BurstSeconds = Number("--burst-seconds", burst, 0.001, 60.0) } };
        }

        if (options.GetValueOrDefault("--output-accounting") is { } accounting)
        {
            settings = settings with { OutputAccounting = Enum.TryParse<OutputAccounting>(accounting, ignoreCase: true, out var kind) && Enum.IsDefined(kind)
                ? kind
                : throw new ArgumentException($"--output-accounting: '{accounting}' is not actual or reserve") };
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
            settings = settings with { Workload = settings.Workload with { FixedMaxTokens = Number("--max-tokens", maxTokens, 1, 1_000_000) } };
        }

        if (options.GetValueOrDefault("--mean-output-tokens") is { } meanOutput)
        {
            settings = settings with { MeanOutputTokens = Number("--mean-output-tokens", meanOutput, 1, 1_000_000) };
        }

        if (options.GetValueOrDefault("--remaining-rounding") is { } rounding)
        {
            settings = settings with { RemainingRounding = Number("--remaining-rounding", rounding, 1, 1_000_000) };
        }

        return settings;
    }

    private static HashSet<int> SystemsFrom(string systems) => systems.Split(',').Select(s => Number("--systems", s, 1, 5)).ToHashSet();

    /// <summary>The scale-out settings the options ask for; throws <see cref="ArgumentException"/> naming a bad option and its value.</summary>
    internal static ScaleOutSettings ScaleOutSettingsFrom(Dictionary<string, string?> options, bool quick)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = quick ? ScaleOutSettings.Quick : ScaleOutSettings.Full;
        if (options.GetValueOrDefault("--concurrency") is { } concurrency)
        {
            settings = settings with { Concurrency = Number("--concurrency", concurrency, 1, 1000) };
        }

        // The gateway's own range for PACER_REDIS_LEASE_SECONDS.
        if (options.GetValueOrDefault("--lease-seconds") is { } lease)
        {
            settings = settings with { LeaseSeconds = Number("--lease-seconds", lease, 2, 300) };
        }

        return settings;
    }

    private static HostileSettings HostileSettingsFrom(Dictionary<string, string?> options, bool quick)
    {
        var settings = quick ? HostileSettings.Quick : HostileSettings.Full;
        if (options.GetValueOrDefault("--idle") is { } idle)
        {
            settings = settings with { IdleConnections = Number("--idle", idle, 0, 60_000) };
        }

        return options.GetValueOrDefault("--slowloris") is { } slow ? settings with { SlowClients = Number("--slowloris", slow, 0, 10_000) } : settings;
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

    // A number option's value, or an ArgumentException naming the option, its value and the range allowed.
    private static T Number<T>(string option, string? value, T min, T max)
        where T : INumber<T> =>
        T.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw new ArgumentException($"{option}: '{value}' is not a number from {min} to {max}.");

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
