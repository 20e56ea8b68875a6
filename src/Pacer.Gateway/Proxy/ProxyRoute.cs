namespace Pacer.Gateway.Proxy;

/// <summary>
/// The proxy's route, taken before the middleware it does not need: a <c>/v1/*</c> request goes to the
/// <see cref="ProxyEndpoint"/> straight after the key id secret and cross-origin headers, without status-code pages
/// (the proxy always answers with a body or the upstream's own answer), the dashboard's headers (not for
/// <c>/v1</c>) or routing's match (one route). About 2.5% of the gateway's CPU at 1,000 requests a second
/// (docs/BENCHMARKS.md, "Overhead").
/// </summary>
internal static class ProxyRoute
{
    /// <summary>The path prefix of the Anthropic API, matched as routing matched <c>/v1/{**path}</c>: ignoring case.</summary>
    public const string Prefix = "/v1/";

    /// <summary>Sends every <c>/v1/*</c> request to the proxy; any other goes on down the pipeline.</summary>
    public static IApplicationBuilder UseProxyRoute(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var proxy = app.ApplicationServices.GetRequiredService<ProxyEndpoint>();
        return app.Use((context, next) => IsProxied(context.Request.Path) ? proxy.HandleAsync(context) : next(context));
    }

    /// <summary>Whether <paramref name="path"/> is under <c>/v1/</c>, in any case.</summary>
    public static bool IsProxied(PathString path) => path.Value?.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) == true;
}
