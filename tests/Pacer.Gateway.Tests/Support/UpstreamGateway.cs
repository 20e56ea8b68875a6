namespace Pacer.Gateway.Tests.Support;

/// <summary>
/// A <see cref="TestGateway"/> in front of a recording <see cref="TestUpstream"/> (the gateway's
/// <c>ANTHROPIC_BASE_URL</c>); disposing stops the gateway first, then the upstream.
/// </summary>
internal sealed class UpstreamGateway : IAsyncDisposable
{
    private UpstreamGateway(TestUpstream upstream, TestGateway gateway)
    {
        Upstream = upstream;
        Gateway = gateway;
    }

    public TestUpstream Upstream { get; }

    public TestGateway Gateway { get; }

    /// <summary>Starts the upstream, then a gateway on <paramref name="settings"/> (environment-variable names) that sends to it.</summary>
    public static async Task<UpstreamGateway> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var upstream = await TestUpstream.StartAsync();
        try
        {
            var values = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
            {
                ["ANTHROPIC_BASE_URL"] = upstream.BaseUrl.ToString(),
            };
            return new UpstreamGateway(upstream, await TestGateway.StartAsync(values));
        }
        catch
        {
            await upstream.DisposeAsync();
            throw;
        }
    }

    public void Deconstruct(out TestUpstream upstream, out TestGateway gateway) => (upstream, gateway) = (Upstream, Gateway);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Gateway.DisposeAsync();
        }
        finally
        {
            await Upstream.DisposeAsync();
        }
    }
}
