using Pacer.Simulator;
using Pacer.Simulator.Options;

namespace Pacer.Gateway.Hosting;

/// <summary>
/// The built-in simulator, started in-process on a free loopback port when neither <c>ANTHROPIC_BASE_URL</c> nor
/// <c>ANTHROPIC_API_KEY</c> is given, so that the gateway works with no key and no network. Its options come from the
/// <c>Simulator</c> configuration section (defaults: a Tier 1 organization).
/// </summary>
internal sealed class SimulatorUpstream : IAsyncDisposable
{
    private readonly SimulatorHost _host;

    private SimulatorUpstream(SimulatorHost host) => _host = host;

    public Uri BaseUrl => _host.BaseAddress;

    public static async Task<SimulatorUpstream> StartAsync(IConfiguration configuration, TimeProvider timeProvider)
    {
        var options = new SimulatorOptions();
        configuration.GetSection(SimulatorOptions.SectionName).Bind(options);
        options.Host = "127.0.0.1";
        options.Port = 0;
        return new SimulatorUpstream(await SimulatorHost.StartAsync(options, timeProvider).ConfigureAwait(false));
    }

    /// <summary>The warning printed at startup, so that nobody mistakes simulated answers for the real API's.</summary>
    public static string Banner(Uri baseUrl) =>
        $"!!! NO UPSTREAM CONFIGURED: the gateway is using its BUILT-IN SIMULATOR of the Anthropic API at {baseUrl} !!! "
        + "Answers are simulated and no real API call is made. To call the real API, set ANTHROPIC_API_KEY "
        + "(and ANTHROPIC_BASE_URL for another endpoint) in the environment or .env, and restart.";

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
