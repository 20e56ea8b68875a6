using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Pacer.Gateway.Dashboard;

/// <summary>
/// The dashboard's sign-in sessions. Signing in with the admin key creates a session: a random id (256 bits) that goes
/// to the browser only as an HttpOnly, SameSite=Strict cookie, and a random CSRF token that the page keeps in memory and
/// sends as <see cref="CsrfHeader"/>. The server keeps only the id's SHA-256, the token and the expiry, in memory: a
/// restart signs everyone out. The admin key itself is never kept by the browser.
/// </summary>
internal sealed class DashboardSessions(TimeProvider time)
{
    public const string CookieName = "pacer_dashboard";
    public const string CsrfHeader = "X-Pacer-CSRF";

    /// <summary>How long a session lasts from sign-in.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    /// <summary>Sessions kept at most; the oldest goes first.</summary>
    public const int MaxSessions = 1000;

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    /// <summary>Creates a session; returns the cookie's value and the CSRF token.</summary>
    public (string Id, string Csrf) Create()
    {
        Prune();
        var id = Random();
        var csrf = Random();
        _sessions[Hash(id)] = new Session(csrf, time.GetUtcNow() + Lifetime);
        return (id, csrf);
    }

    /// <summary>Gets the CSRF token of the request's session, or null when it has no valid session.</summary>
    public string? CsrfOf(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Find(request)?.Csrf;
    }

    /// <summary>True when the request carries a valid session cookie and that session's CSRF token in <see cref="CsrfHeader"/>.</summary>
    public bool Authorizes(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Find(request) is not { } session)
        {
            return false;
        }

        var presented = Encoding.UTF8.GetBytes(request.Headers[CsrfHeader].ToString());
        return CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(session.Csrf));
    }

    /// <summary>Ends the request's session, if any.</summary>
    public void End(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Cookies[CookieName] is { Length: > 0 } id)
        {
            _sessions.TryRemove(Hash(id), out _);
        }
    }

    /// <summary>Writes the session cookie: HttpOnly, SameSite=Strict, Secure when the request came over https.</summary>
    public static void SetCookie(HttpContext context, string id) =>
        context.Response.Cookies.Append(CookieName, id, Options(context, expires: null));

    /// <summary>Clears the session cookie.</summary>
    public static void ClearCookie(HttpContext context) =>
        context.Response.Cookies.Delete(CookieName, Options(context, DateTimeOffset.UnixEpoch));

    private static CookieOptions Options(HttpContext context, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };

    private Session? Find(HttpRequest request)
    {
        if (request.Cookies[CookieName] is not { Length: > 0 } id || !_sessions.TryGetValue(Hash(id), out var session))
        {
            return null;
        }

        if (session.Expires <= time.GetUtcNow())
        {
            _sessions.TryRemove(Hash(id), out _);
            return null;
        }

        return session;
    }

    private void Prune()
    {
        var now = time.GetUtcNow();
        foreach (var (key, session) in _sessions)
        {
            if (session.Expires <= now)
            {
                _sessions.TryRemove(key, out _);
            }
        }

        while (_sessions.Count >= MaxSessions && _sessions.MinBy(p => p.Value.Expires) is { Key: { } oldest })
        {
            _sessions.TryRemove(oldest, out _);
        }
    }

    private static string Random() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Hash(string id) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(id)));

    private sealed record Session(string Csrf, DateTimeOffset Expires);
}
