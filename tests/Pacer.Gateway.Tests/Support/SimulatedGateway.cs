using Microsoft.Extensions.DependencyInjection;
using Pacer.Simulator;
using Pacer.Simulator.Options;

namespace Pacer.Gateway.Tests.Support;

/// <summary>The gateway in front of the Anthropic API simulator, both on loopback with free ports.</summary>
internal sealed class SimulatedGateway : IAsyncDisposable
{
    private SimulatedGateway(SimulatorHost simulator, TestGateway gateway)
    {
        Simulator = simulator;
        Gateway = gateway;
    }

    public SimulatorHost Simulator { get; }

    public TestGateway Gateway { get; }

    public HttpClient Client => Gateway.Client;

    /// <summary>Generous upstream limits and no latency, so that tests exercise faults, not waiting.</summary>
    public static SimulatorOptions FastSimulator() => new()
    {
        Latency = new LatencyOptions { Enabled = false },
        Limits = new LimitOptions { RequestsPerMinute = 4000, InputTokensPerMinute = 2_000_000, OutputTokensPerMinute = 400_000 },
        Output = new OutputOptions { MeanTokens = 20 },
        Faults = new FaultOptions { RetryAfterSeconds = 1, HangMs = 60_000 },
    };

    public static async Task<SimulatedGateway> StartAsync(
        IReadOnlyDictionary<string, string?>? settings = null,
        SimulatorOptions? simulatorOptions = null,
        Action<IServiceCollection>? services = null)
    {
        var simulator = await SimulatorHost.StartAsync(simulatorOptions ?? FastSimulator()).WaitAsync(TimeSpan.FromSeconds(30));
        var values = new Dictionary<string, string?>
        {
            ["ANTHROPIC_BASE_URL"] = simulator.BaseAddress.ToString(),
            ["PACER_ADMIN_API_KEY"] = TestGateway.AdminKey,
            ["ANTHROPIC_RATE_LIMIT_PER_MINUTE"] = "1000",
            ["ANTHROPIC_CONCURRENT_REQUESTS"] = "50",
            ["ANTHROPIC_BASE_DELAY"] = "100",
            ["ANTHROPIC_MAX_DELAY"] = "1000",
            ["PACER_BURST"] = "100",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        try
        {
            return new SimulatedGateway(simulator, await TestGateway.StartAsync(values, services: services));
        }
        catch
        {
            await simulator.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Gateway.DisposeAsync();
        }
        finally
        {
            await Simulator.DisposeAsync();
        }
    }
}
