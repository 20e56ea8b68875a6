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
/// Wrong keys are throttled per client address (<see cref="AdminKeyThrottle"/>): the dashboard's sign-in goes through
/// the same check.
/// </summary>
internal sealed class AdminKeyFilter : IEndpointFilter
{
    public const string HeaderName = "X-API-Key";

    private readonly byte[]? _expectedHash;
    private readonly DashboardSessions _sessions;
    private readonly AdminKeyThrottle _throttle;

    public AdminKeyFilter(GatewayOptions options, DashboardSessions sessions, AdminKeyThrottle throttle)
    {
        ArgumentNullException.ThrowIfNull(options);
        _expectedHash = options.AdminApiKey is { } key ? SHA256.HashData(Encoding.UTF8.GetBytes(key)) : null;
        _sessions = sessions;
        _throttle = throttle;
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

        if (Refusal(context.HttpContext, presented) is { } refusal)
        {
            return ValueTask.FromResult<object?>(refusal);
        }

        return next(context);
    }

    /// <summary>
    /// Checks an admin key presented on <paramref name="context"/>'s request: null when it is right, else the refusal
    /// (503 when the admin API is off, 401 when missing or wrong, 429 while the client's address is throttled).
    /// </summary>
    public AnthropicError? Refusal(HttpContext context, string presented)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(presented);
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

        var address = context.Connection.RemoteIpAddress;
        var path = context.Request.Path.Value is { Length: > 100 } longPath ? longPath[..100] + "..." : context.Request.Path.Value ?? "/";
        if (_throttle.Wait(address) is { } wait)
        {
            // Not even checked: a right key must look the same as a wrong one to a throttled guesser.
            _throttle.Refused(address, path, wait);
            return new AnthropicError(StatusCodes.Status429TooManyRequests, "rate_limit_error",
                $"Too many wrong admin keys from this address ({AdminKeyThrottle.MaxFailures} within {AdminKeyThrottle.Window.TotalSeconds:0} s): admin-key attempts from it are refused until the time in retry-after has passed.")
            {
                Admin = true,
                RetryAfter = wait,
            };
        }

        // Hashing first gives equal lengths, so the comparison time reveals nothing about the key.
        var presentedHash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        if (CryptographicOperations.FixedTimeEquals(presentedHash, _expectedHash))
        {
            return null;
        }

        _throttle.Failed(address, path);
        return new AnthropicError(StatusCodes.Status401Unauthorized, "authentication_error", $"Invalid {HeaderName}: it does not match PACER_ADMIN_API_KEY.") { Admin = true };
    }
}
