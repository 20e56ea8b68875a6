using System.Security.Cryptography;
using System.Text;

namespace Pacer.Simulator.Control;

/// <summary>Names an API key without revealing it: <c>key_</c> and the first 12 hex digits of its SHA-256.</summary>
internal static class KeyId
{
    public static string Of(string apiKey)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(apiKey), hash);
        return "key_" + Convert.ToHexStringLower(hash[..6]);
    }
}
