using System.Globalization;
using Pacer.Simulator.Hosting;
using Pacer.Simulator.Options;

namespace Pacer.Simulator;

/// <summary>The standalone simulator: <c>dotnet run --project src/Pacer.Simulator -- --port 4000 --rpm 50</c>.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        SimulatorOptions options;
        try
        {
            var (values, files, help) = CommandLine.Parse(args);
            if (help)
            {
                Console.Out.Write(CommandLine.Help());
                return 0;
            }

            options = Bind(values, files);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or FileNotFoundException or InvalidDataException)
        {
            await Console.Error.WriteLineAsync($"pacer-simulator: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        SimulatorHost host;
        try
        {
            host = await SimulatorHost.StartAsync(options, TimeProvider.System, ConsoleLogging, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"pacer-simulator: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"pacer-simulator: cannot listen on {options.Host}:{options.Port}: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        await using (host.ConfigureAwait(false))
        {
            Console.Out.WriteLine(Describe(host));
            await host.WaitForShutdownAsync().ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>Warnings and errors on the console, without Kestrel's note that the options override ASPNETCORE_URLS.</summary>
    private static void ConsoleLogging(ILoggingBuilder logging) =>
        logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning).AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Error);

    /// <summary>Binds options from defaults, appsettings.json, --config files, environment variables and flags (later wins).</summary>
    internal static SimulatorOptions Bind(Dictionary<string, string?> flags, IEnumerable<string> files)
    {
        var builder = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Simulator:Port"] = SimulatorDefaults.StandalonePort.ToString(CultureInfo.InvariantCulture) })
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true);
        foreach (var file in files)
        {
            builder.AddJsonFile(Path.GetFullPath(file), optional: false);
        }

        var configuration = builder.AddEnvironmentVariables().AddInMemoryCollection(flags).Build();
        var options = new SimulatorOptions();
        configuration.GetSection(SimulatorOptions.SectionName).Bind(options);
        return options;
    }

    internal static string Describe(SimulatorHost host)
    {
        var o = host.Options;
        var l = o.Limits;
        var lines = new List<string>
        {
            $"Pacer simulator listening on {host.BaseAddress} (set ANTHROPIC_BASE_URL={host.BaseAddress.ToString().TrimEnd('/')})",
            string.Create(CultureInfo.InvariantCulture, $"Limits per API key and model pool: {l.RequestsPerMinute} requests/min, {l.InputTokensPerMinute} input tokens/min, {l.OutputTokensPerMinute} output tokens/min, burst {l.BurstSeconds} s, output accounting {l.OutputAccounting}, count_tokens {l.CountTokensRequestsPerMinute} requests/min"),
        };
        lines.AddRange(l.Pools.Select(p => string.Create(CultureInfo.InvariantCulture, $"  pool {p.Name}: {p.RequestsPerMinute ?? l.RequestsPerMinute} requests/min, {p.InputTokensPerMinute ?? l.InputTokensPerMinute} input tokens/min, {p.OutputTokensPerMinute ?? l.OutputTokensPerMinute} output tokens/min")));
        lines.Add(o.ApiKeys.Count == 0 ? "API keys: any non-empty key" : $"API keys: {o.ApiKeys.Count} configured");
        lines.Add(o.Latency.Enabled
            ? string.Create(CultureInfo.InvariantCulture, $"Latency: {o.Latency.TimeToFirstTokenMs} ms to first token, {o.Latency.TokensPerSecond} tokens/s, jitter {o.Latency.Jitter}")
            : "Latency: none (zero-latency mode)");
        if (o.Faults.Rates.Length > 0)
        {
            lines.Add($"Random faults: {o.Faults.Rates}");
        }

        if (o.Spend.MonthlyCapUsd > 0)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"Monthly spend cap per key: ${o.Spend.MonthlyCapUsd}"));
        }

        if (o.Acceleration.Enabled)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"Acceleration limit: {o.Acceleration.Factor}x over {o.Acceleration.ShortWindowSeconds} s, floor {o.Acceleration.FloorRequestsPerMinute} requests/min"));
        }

        lines.Add($"Control API: {host.BaseAddress}_simulator/attempts, /faults, /limits, /reset");
        return string.Join(Environment.NewLine, lines);
    }
}
