using Pacer.Gateway.Hosting;
using Pacer.Gateway.Proxy;
using Pacer.Gateway.Storage;

namespace Pacer.Gateway.Auth;

/// <summary>
/// Decides who a <c>/v1/*</c> caller is and which key goes upstream. Passthrough: the caller's own key travels on
/// untouched. Managed: the caller's key must be one the gateway issued; it is replaced by the gateway's upstream key,
/// which never leaves the gateway.
/// </summary>
internal sealed class CallerAuthenticator(GatewayOptions options, KeyStore keys, UpstreamTarget upstream)
{
    public const string ApiKeyHeader = "x-api-key";

    /// <summary>Authenticates the caller; returns the error to answer, or null.</summary>
    public AnthropicError? Authenticate(HttpRequest request, out Caller caller)
    {
        ArgumentNullException.ThrowIfNull(request);
        caller = Caller.Anonymous;
        var presented = PresentedKey(request);
        if (presented is null)
        {
            return AnthropicError.Authentication(options.AuthMode == AuthMode.Managed
                ? "No API key: send the key issued by this gateway as the x-api-key header or as Authorization: Bearer."
                : "No API key: send your Anthropic API key as the x-api-key header or as Authorization: Bearer; the gateway forwards it.");
        }

        if (options.AuthMode == AuthMode.Passthrough)
        {
            return null;
        }

        if (keys.FindActive(presented) is not { } key)
        {
            return AnthropicError.Authentication("Invalid API key: it is not a key issued by this gateway, or it was revoked.");
        }

        caller = new Caller(key.User, key.Id);
        return null;
    }

    /// <summary>In managed mode, replaces the caller's key on <paramref name="outgoing"/> by the gateway's upstream key.</summary>
    public void SetUpstreamKey(HttpRequestMessage outgoing)
    {
        ArgumentNullException.ThrowIfNull(outgoing);
        if (options.AuthMode != AuthMode.Managed)
        {
            return;
        }

        outgoing.Headers.Remove(ApiKeyHeader);
        outgoing.Headers.Authorization = null;
        outgoing.Headers.TryAddWithoutValidation(ApiKeyHeader, upstream.ApiKey);
    }

    /// <summary>Gets the key from <c>x-api-key</c>, else from <c>Authorization: Bearer</c>; null when neither holds one.</summary>
    internal static string? PresentedKey(HttpRequest request)
    {
        var apiKey = request.Headers[ApiKeyHeader].ToString().Trim();
        if (apiKey.Length > 0)
        {
            return apiKey;
        }

        var authorization = request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        if (authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization[Bearer.Length..].Trim();
            return token.Length > 0 ? token : null;
        }

        return null;
    }
}
