namespace Pacer.Gateway.Dashboard;

/// <summary>
/// Headers on every admin and dashboard answer: never cached (<c>Cache-Control: no-store</c>: they hold usage, keys and
/// settings), never sniffed (<c>X-Content-Type-Options: nosniff</c>); the page's own answers also forbid framing and
/// any script, style or connection from another origin.
/// </summary>
internal static class DashboardHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static IApplicationBuilder UseDashboardHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments(DashboardEndpoints.Root, StringComparison.Ordinal) || path.Value == "/")
        {
            var headers = context.Response.Headers;
            headers.CacheControl = "no-store";
            headers.XContentTypeOptions = "nosniff";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
        }
        else if (path.StartsWithSegments(Admin.AdminEndpoints.Prefix, StringComparison.Ordinal))
        {
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers.XContentTypeOptions = "nosniff";
        }

        return next(context);
    });
}
