namespace Pacer.Gateway.Hosting;

/// <summary>The built-in simulator, started in-process on a free loopback port when no upstream is configured.</summary>
internal sealed class SimulatorUpstream : IAsyncDisposable
{
    internal SimulatorUpstream(Uri baseUrl) => BaseUrl = baseUrl;

    public Uri BaseUrl { get; }

    public static Task<SimulatorUpstream> StartAsync() =>
        throw new InvalidOperationException("No upstream configured: set ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL for another endpoint).");

    public static string Banner(Uri baseUrl) => $"SIMULATOR at {baseUrl}";

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
