namespace Pacer.Gateway.Auth;

/// <summary>Who is calling, as far as authentication tells.</summary>
/// <param name="User">The user a managed key belongs to, or null.</param>
/// <param name="KeyId">The managed key's id, or null in passthrough mode.</param>
internal sealed record Caller(string? User, string? KeyId)
{
    public static readonly Caller Anonymous = new(null, null);
}
