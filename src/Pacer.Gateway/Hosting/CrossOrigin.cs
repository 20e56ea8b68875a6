using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Net.Http.Headers;
using Pacer.Gateway.Admin;
using Pacer.Gateway.Dashboard;
using Pacer.Gateway.Proxy;

namespace Pacer.Gateway.Hosting;

/// <summary>
/// Cross-origin calls from browser pages (<c>PACER_CORS_ORIGINS</c>). With no origin configured, the default, no answer
/// carries an <c>Access-Control-*</c> header and every preflight is refused (403), so a page on another site can read
/// nothing the gateway answers. Configured origins may call <c>/v1/*</c> and the admin API with any header, never with
/// credentials (cookies): the dashboard's session is never usable from another origin, nor are its own pages.
/// </summary>
internal static class CrossOrigin
{
    /// <summary>How long a browser may keep a granted preflight.</summary>
    public static readonly TimeSpan PreflightMaxAge = TimeSpan.FromMinutes(10);

    /// <summary>Returns <paramref name="origin"/> as browsers send it (<c>scheme://host[:port]</c>, lower case), or null when it is not one.</summary>
    public static string? Normalize(string origin)
    {
        ArgumentNullException.ThrowIfNull(origin);
        var text = origin.Trim().TrimEnd('/');
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.UserInfo.Length > 0 || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || text.Contains('*', StringComparison.Ordinal)
            || text.EndsWith('#') || text.EndsWith('?'))
        {
            return null;
        }

        return uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
    }

    public static IServiceCollection AddCrossOrigin(this IServiceCollection services) => services.AddCors();

    public static IApplicationBuilder UseCrossOrigin(this IApplicationBuilder app, GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var policy = options.CorsOrigins.Count == 0 ? null : new CorsPolicyBuilder()
            .WithOrigins([.. options.CorsOrigins])
            .AllowAnyHeader()
            .WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Delete)
            .WithExposedHeaders("*")
            .SetPreflightMaxAge(PreflightMaxAge)
            .Build();
        var cors = app.ApplicationServices.GetRequiredService<ICorsService>();
        return app.Use((context, next) =>
        {
            var request = context.Request;
            if (!request.Headers.ContainsKey(HeaderNames.Origin))
            {
                return next(context);
            }

            var preflight = HttpMethods.IsOptions(request.Method) && request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod);
            var grantable = policy is not null && !request.Path.StartsWithSegments(DashboardEndpoints.Root, StringComparison.Ordinal) && request.Path.Value != "/";
            var result = grantable ? cors.EvaluatePolicy(context, policy!) : null;
            if (result is not null)
            {
                cors.ApplyResult(result, context.Response);
            }

            if (!preflight)
            {
                return next(context);
            }

            if (result is { IsOriginAllowed: true, IsPreflightRequest: true })
            {
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return Task.CompletedTask;
            }

            var origin = request.Headers.Origin.ToString();
            var why = policy is null
                ? "the gateway allows no cross-origin calls (set PACER_CORS_ORIGINS to the origins of the pages that may call it)"
                : grantable ? "it is not in PACER_CORS_ORIGINS" : "the dashboard is served to its own origin only";
            return new AnthropicError(StatusCodes.Status403Forbidden, "permission_error",
                $"Cross-origin request refused for origin '{Shorten(origin)}': {why}.")
            { Admin = request.Path.StartsWithSegments(AdminEndpoints.Prefix, StringComparison.OrdinalIgnoreCase) }.ExecuteAsync(context);
        });
    }

    private static string Shorten(string text) => text.Length <= 100 ? text : text[..100] + "...";
}
