namespace Pacer.Gateway.Storage;

/// <summary>A key issued by the gateway, as it is listed: never with its secret, which exists only at creation.</summary>
/// <param name="Id">The key's public identifier, for example <c>key_3f2a...</c>.</param>
/// <param name="User">The user every request made with the key is attributed to.</param>
/// <param name="Name">A label chosen by the operator.</param>
/// <param name="Prefix">The first characters of the secret, to recognise it.</param>
/// <param name="CreatedAt">When it was issued.</param>
/// <param name="RevokedAt">When it was revoked, or null while it is active.</param>
internal sealed record ManagedKey(string Id, string User, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
