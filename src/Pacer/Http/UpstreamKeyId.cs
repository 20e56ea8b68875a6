using System.Security.Cryptography;
using System.Text;

namespace Pacer.Http;

/// <summary>
/// A short, non-secret identifier of the upstream API key, taken from <c>x-api-key</c> or else
/// <c>authorization: Bearer</c>: the first 16 hex digits of the HMAC-SHA256 of the key under a per-installation
/// <see cref="Secret"/> when one is set (the gateway sets its own), else of its plain SHA-256. Budgets are kept per key;
/// the key itself is never stored or logged, and a keyed id cannot be matched against a list of known keys without the
/// secret.
/// </summary>
public static class UpstreamKeyId
{
    /// <summary>The identifier of requests that carry no key.</summary>
    public const string None = "none";

    /// <summary>The fewest bytes a secret may have.</summary>
    public const int MinimumSecretBytes = 32;

    private const int HexDigits = 16;

    private static readonly AsyncLocal<byte[]?> AmbientSecret = new();

    /// <summary>
    /// Gets or sets the secret under which ids are computed in the current asynchronous flow and the flows it starts
    /// (a host sets it for each request it serves, so that several hosts in one process may each have their own);
    /// null means unkeyed ids. A secret has at least <see cref="MinimumSecretBytes"/> bytes.
    /// </summary>
    public static byte[]? Secret
    {
        get => AmbientSecret.Value;
        set
        {
            if (value is { Length: < MinimumSecretBytes })
            {
                throw new ArgumentException($"A key-id secret has at least {MinimumSecretBytes} bytes; this one has {value.Length}.", nameof(value));
            }

            AmbientSecret.Value = value;
        }
    }

    /// <summary>Identifies the key carried by <paramref name="headers"/> under the ambient <see cref="Secret"/>, or <see cref="None"/>.</summary>
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

    /// <summary>Identifies one key under the ambient <see cref="Secret"/> (unkeyed when none is set).</summary>
    public static string Of(string key) => Secret is { } secret ? Of(key, secret) : Unkeyed(key);

    /// <summary>Identifies one key under <paramref name="secret"/>: the first 16 hex digits of HMAC-SHA256(secret, key).</summary>
    public static string Of(string key, ReadOnlySpan<byte> secret)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(key), hash);
        return Convert.ToHexStringLower(hash[..(HexDigits / 2)]);
    }

    private static string Unkeyed(string key)
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
