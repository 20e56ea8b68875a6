namespace Pacer.Gateway.Hosting;

/// <summary>Where proxied requests go: the configured Anthropic base address, or the built-in simulator.</summary>
internal sealed class UpstreamTarget
{
    /// <summary>The key the gateway presents to its built-in simulator in managed mode.</summary>
    public const string SimulatorApiKey = "sk-ant-pacer-simulator";

    private Resolved? _last;

    public UpstreamTarget(Uri baseUrl, bool isSimulator, string? apiKey)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        BaseUrl = baseUrl;
        IsSimulator = isSimulator;
        ApiKey = apiKey;
    }

    /// <summary>Gets the upstream base address, for example <c>https://api.anthropic.com</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Gets a value indicating whether the upstream is the built-in simulator.</summary>
    public bool IsSimulator { get; }

    /// <summary>Gets the gateway's own upstream key (managed mode), or null.</summary>
    public string? ApiKey { get; }

    /// <summary>
    /// Gets the address of <paramref name="path"/> upstream, keeping a path prefix of the base address. The last
    /// address built is kept and given again for the same path and query (most requests are <c>/v1/messages</c>):
    /// building one cost 1.5% of the gateway's CPU at 1,000 requests a second (docs/BENCHMARKS.md, "Overhead").
    /// </summary>
    public Uri Resolve(PathString path, QueryString query)
    {
        var last = _last;
        if (last is not null && string.Equals(last.Path, path.Value, StringComparison.Ordinal) && string.Equals(last.Query, query.Value, StringComparison.Ordinal))
        {
            return last.Address;
        }

        var basePath = BaseUrl.AbsolutePath.TrimEnd('/');
        var builder = new UriBuilder(BaseUrl) { Path = basePath + path.ToUriComponent(), Query = query.HasValue ? query.Value![1..] : string.Empty };
        var address = builder.Uri;
        _last = new Resolved(path.Value, query.Value, address);
        return address;
    }

    // Immutable, so that a reader on another thread sees a whole entry or the one before.
    private sealed record Resolved(string? Path, string? Query, Uri Address);
}
