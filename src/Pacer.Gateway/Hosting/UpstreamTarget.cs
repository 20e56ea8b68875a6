namespace Pacer.Gateway.Hosting;

/// <summary>Where proxied requests go: the configured Anthropic base address, or the built-in simulator.</summary>
internal sealed class UpstreamTarget
{
    /// <summary>The key the gateway presents to its built-in simulator in managed mode.</summary>
    public const string SimulatorApiKey = "sk-ant-pacer-simulator";

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

    /// <summary>Gets the address of <paramref name="path"/> upstream, keeping a path prefix of the base address.</summary>
    public Uri Resolve(PathString path, QueryString query)
    {
        var basePath = BaseUrl.AbsolutePath.TrimEnd('/');
        var builder = new UriBuilder(BaseUrl) { Path = basePath + path.ToUriComponent(), Query = query.HasValue ? query.Value![1..] : string.Empty };
        return builder.Uri;
    }
}
