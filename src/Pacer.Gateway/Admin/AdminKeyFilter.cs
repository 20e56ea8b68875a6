using System.Security.Cryptography;
using System.Text;
using Pacer.Gateway.Dashboard;
using Pacer.Gateway.Hosting;
using Pacer.Gateway.Proxy;

namespace Pacer.Gateway.Admin;

/// <summary>
/// Guards every admin endpoint with <c>X-API-Key</c> = <c>PACER_ADMIN_API_KEY</c>, compared in constant time.
/// With no key configured the admin API is off (503): there is never a default key. A request without the header may
/// instead carry a dashboard session (its cookie and its CSRF token header, see <see cref="DashboardSessions"/>).
/// </summary>
internal sealed class AdminKeyFilter : IEndpointFilter
{
    public const string HeaderName = "X-API-Key";

    private readonly byte[]? _expectedHash;
    private readonly DashboardSessions _sessions;

    public AdminKeyFilter(GatewayOptions options, DashboardSessions sessions)
    {
        ArgumentNullException.ThrowIfNull(options);
        _expectedHash = options.AdminApiKey is { } key ? SHA256.HashData(Encoding.UTF8.GetBytes(key)) : null;
        _sessions = sessions;
    }

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var request = context.HttpContext.Request;
        var presented = request.Headers[HeaderName].ToString();
        if (presented.Length == 0 && _expectedHash is not null && request.Cookies.ContainsKey(DashboardSessions.CookieName))
        {
            return _sessions.Authorizes(request)
                ? next(context)
                : ValueTask.FromResult<object?>(new AnthropicError(StatusCodes.Status401Unauthorized, "authentication_error",
                    $"The dashboard session has expired or the {DashboardSessions.CsrfHeader} header is missing or wrong: sign in again.") { Admin = true });
        }

        if (Refusal(presented) is { } refusal)
        {
            return ValueTask.FromResult<object?>(refusal);
        }

        return next(context);
    }

    /// <summary>Checks a presented admin key: null when it is right, else the refusal (503 when the admin API is off, 401).</summary>
    public AnthropicError? Refusal(string presented)
    {
        if (_expectedHash is null)
        {
            return new AnthropicError(StatusCodes.Status503ServiceUnavailable, "api_error",
                $"The admin API is off. To enable it, set PACER_ADMIN_API_KEY to a secret of at least {GatewayConfiguration.MinimumAdminKeyLength} characters (environment or .env), restart the gateway, and send that secret in the {HeaderName} header.")
            { Admin = true };
        }

        if (presented.Length == 0)
        {
            return new AnthropicError(StatusCodes.Status401Unauthorized, "authentication_error", $"Missing {HeaderName} header: the admin API needs the key set in PACER_ADMIN_API_KEY.") { Admin = true };
        }

        // Hashing first gives equal lengths, so the comparison time reveals nothing about the key.
        var presentedHash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        return CryptographicOperations.FixedTimeEquals(presentedHash, _expectedHash)
            ? null
            : new AnthropicError(StatusCodes.Status401Unauthorized, "authentication_error", $"Invalid {HeaderName}: it does not match PACER_ADMIN_API_KEY.") { Admin = true };
    }
}
