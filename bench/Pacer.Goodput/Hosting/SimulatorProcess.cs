using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Pacer.Simulator;
using Pacer.Simulator.Options;

namespace Pacer.Goodput.Hosting;

/// <summary>
/// The standalone simulator in a process of its own, started with the flags that give it <see cref="SimulatorOptions"/>,
/// read and reset through its control API (<c>/_simulator</c>).
/// </summary>
internal sealed class SimulatorProcess : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ChildProcess _process;
    private readonly HttpClient _control;

    private SimulatorProcess(ChildProcess process)
    {
        _process = process;
        _control = new HttpClient { BaseAddress = process.Address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Address => _process.Address;

    public static async Task<SimulatorProcess> StartAsync(SimulatorOptions options)
    {
        // The attempt log has no flag; its capacity comes through the environment.
        var environment = new Dictionary<string, string> { ["Simulator__AttemptLogCapacity"] = options.AttemptLogCapacity.ToString(CultureInfo.InvariantCulture) };
        return new SimulatorProcess(await ChildProcess.StartAsync(BuildOutputs.Simulator, Arguments(options), environment));
    }

    /// <summary>The command line that gives the standalone simulator these limits, latency and replies, on a free port.</summary>
    internal static IReadOnlyList<string> Arguments(SimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var c = CultureInfo.InvariantCulture;
        var arguments = new List<string>
        {
            "--port", "0",
            "--seed", options.Seed.ToString(c),
            "--rpm", options.Limits.RequestsPerMinute.ToString(c),
            "--itpm", options.Limits.InputTokensPerMinute.ToString(c),
            "--otpm", options.Limits.OutputTokensPerMinute.ToString(c),
            "--burst-seconds", options.Limits.BurstSeconds.ToString(c),
            "--output-accounting", options.Limits.OutputAccounting.ToString(),
            "--remaining-rounding", options.Limits.RemainingRounding.ToString(c),
            "--mean-output-tokens", options.Output.MeanTokens.ToString(c),
            "--max-tokens-rate", options.Output.MaxTokensRate.ToString(c),
        };
        if (!string.IsNullOrWhiteSpace(options.Faults.Rates))
        {
            arguments.AddRange(["--fault-rates", options.Faults.Rates, "--hang-ms", options.Faults.HangMs.ToString(c)]);
        }

        if (options.Latency.Enabled)
        {
            arguments.AddRange(["--ttft-ms", options.Latency.TimeToFirstTokenMs.ToString(c), "--tokens-per-second", options.Latency.TokensPerSecond.ToString(c), "--jitter", options.Latency.Jitter.ToString(c)]);
        }
        else
        {
            arguments.Add("--zero-latency");
        }

        return arguments;
    }

    /// <summary>Every attempt logged since the last reset, oldest first.</summary>
    public async Task<IReadOnlyList<SimulatorAttempt>> AttemptsAsync()
    {
        var page = await _control.GetFromJsonAsync<AttemptPage>("_simulator/attempts", Json)
            ?? throw new InvalidOperationException("The simulator returned no attempt page.");
        return page.Data;
    }

    /// <summary>Full buckets, no spend, empty cache and log: each configuration meets the upstream as new.</summary>
    public async Task ResetAsync()
    {
        using var response = await _control.PostAsync(new Uri("_simulator/reset", UriKind.Relative), content: null);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        _control.Dispose();
        await _process.DisposeAsync();
    }

    private sealed record AttemptPage(IReadOnlyList<SimulatorAttempt> Data);
}
