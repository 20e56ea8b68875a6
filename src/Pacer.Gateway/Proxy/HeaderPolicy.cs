using System.Net.Http.Headers;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Pacer.Gateway.Proxy;

/// <summary>
/// Which headers cross the gateway. Hop-by-hop headers (RFC 9110 §7.6.1) and those named in <c>Connection</c> stay on
/// their own hop; <c>accept-encoding</c> is dropped so that the gateway can read streams and usage; Pacer's own
/// <c>x-pacer-*</c> request headers are for the gateway alone.
/// </summary>
internal static class HeaderPolicy
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Host", "Content-Length",
    };

    private static readonly HashSet<string> NoneNamed = new(StringComparer.OrdinalIgnoreCase);

    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase) { "Accept-Encoding", "Expect" };

    /// <summary>Copies the caller's headers onto the upstream request (content headers onto its content).</summary>
    public static void CopyRequestHeaders(IHeaderDictionary from, HttpRequestMessage to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var named = NamedInConnection(from.Connection);
        foreach (var (name, values) in from)
        {
            if (HopByHop.Contains(name) || NotForwarded.Contains(name) || named.Contains(name) || name.StartsWith("x-pacer-", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!to.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                to.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }
    }

    /// <summary>
    /// Copies the upstream response's headers to the caller, as they came (unparsed: the validated view parsed every
    /// value again and allocated a set for <c>Connection</c> on every response); <paramref name="keepLength"/> keeps
    /// <c>Content-Length</c>.
    /// </summary>
    public static void CopyResponseHeaders(HttpResponseMessage from, HttpResponse to, bool keepLength)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var named = from.Headers.NonValidated.TryGetValues(HeaderNames.Connection, out var connection)
            ? NamedInConnection(new StringValues([.. connection]))
            : NoneNamed;
        CopyResponseHeaders(from.Headers.NonValidated, to, keepLength, named);
        CopyResponseHeaders(from.Content.Headers.NonValidated, to, keepLength, named);
    }

    private static void CopyResponseHeaders(HttpHeadersNonValidated from, HttpResponse to, bool keepLength, HashSet<string> named)
    {
        foreach (var (name, values) in from)
        {
            if ((HopByHop.Contains(name) && !(keepLength && name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase))) || named.Contains(name))
            {
                continue;
            }

            to.Headers[name] = values.Count == 1 ? new StringValues(values.ToString()) : new StringValues([.. values]);
        }
    }

    private static HashSet<string> NamedInConnection(StringValues connection)
    {
        var named = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in connection)
        {
            foreach (var token in (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                named.Add(token);
            }
        }

        return named;
    }
}
