using Microsoft.AspNetCore.Diagnostics;
using Pacer.Gateway.Admin;
using Pacer.Gateway.Proxy;

namespace Pacer.Gateway.Hosting;

/// <summary>Gives routing's bare 404 and 405 answers a body in Anthropic's shape that says what the gateway serves.</summary>
internal static class NotFoundOrNotAllowed
{
    private const string Served = "The gateway serves /v1/* (the Anthropic API), /api/admin/rate-limit-status, /api/admin/update-rate-limits, /api/admin/reset-rate-limits, /api/admin/keys, /api/admin/usage, /api/admin/budgets, /api/admin/live, /api/admin/settings, /dashboard, /healthz, /readyz and /metrics.";

    public static Task WriteAsync(StatusCodeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        var path = http.Request.Path.Value ?? "/";

        // The admin API's answers all carry the seed's "success": false, its unknown paths too.
        var admin = path.StartsWith(AdminEndpoints.Prefix + "/", StringComparison.OrdinalIgnoreCase);
        var error = http.Response.StatusCode switch
        {
            StatusCodes.Status404NotFound => new AnthropicError(StatusCodes.Status404NotFound, "not_found_error", $"No route for {http.Request.Method} {Shorten(path)}. {Served}") { Admin = admin },
            StatusCodes.Status405MethodNotAllowed => new AnthropicError(StatusCodes.Status405MethodNotAllowed, "invalid_request_error", $"{http.Request.Method} is not allowed on {Shorten(path)}. {Served}") { Admin = admin },
            _ => null,
        };
        return error is null ? Task.CompletedTask : error.ExecuteAsync(http);
    }

    private static string Shorten(string path) => path.Length <= 100 ? path : path[..100] + "...";
}
