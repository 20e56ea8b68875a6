using System.Security.Cryptography;
using System.Text;

namespace Pacer.Http;

/// <summary>
/// A short, non-secret identifier of the upstream API key: the first 16 hex digits of the SHA-256 of the key, taken from
/// <c>x-api-key</c> or else <c>authorization: Bearer</c>. Budgets are kept per key; the key itself is never stored or logged.
/// </summary>
public static class UpstreamKeyId
{
    /// <summary>The identifier of requests that carry no key.</summary>
    public const string None = "none";

    private const int HexDigits = 16;

    /// <summary>Identifies the key carried by <paramref name="headers"/>, or <see cref="None"/>.</summary>
    public static string From(System.Net.Http.Headers.HttpRequestHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (headers.TryGetValues("x-api-key", out var apiKeys) && First(apiKeys) is { Length: > 0 } apiKey)
        {
            return Of(apiKey);
        }

        if (headers.TryGetValues("authorization", out var authorizations) && First(authorizations) is { } authorization
            && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > "Bearer ".Length)
        {
            return Of(authorization["Bearer ".Length..].Trim());
        }

        return None;
    }

    /// <summary>Identifies one key.</summary>
    public static string Of(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return Convert.ToHexStringLower(hash[..(HexDigits / 2)]);
    }

    private static string? First(IEnumerable<string> values)
    {
        foreach (var value in values)
        {
            return value.Trim();
        }

        return null;
    }
}
