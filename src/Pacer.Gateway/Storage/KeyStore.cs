using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Pacer.Gateway.Storage;

/// <summary>
/// Managed keys, stored as SHA-256 hashes of their secrets (the secrets carry 256 random bits, so a fast hash is enough).
/// The secret is returned once, at creation. Active keys found are cached for a few seconds (<see cref="ActiveKeyCache"/>).
/// </summary>
internal sealed class KeyStore(GatewayDatabase database, TimeProvider timeProvider)
{
    private readonly ActiveKeyCache _cache = new(timeProvider);

    /// <summary>Every secret starts with this, so that a leaked one is recognisable.</summary>
    public const string SecretPrefix = "sk-pacer-";

    private const int ShownPrefixLength = 13;

    /// <summary>Issues a key for <paramref name="user"/>; returns it with its secret.</summary>
    public (ManagedKey Key, string Secret) Create(string user, string name, DateTimeOffset now)
    {
        var secret = SecretPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var key = new ManagedKey("key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)), user, name, secret[..ShownPrefixLength], now, null);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO managed_keys (id, user_id, name, key_prefix, key_hash, created_at)
            VALUES ($id, $user, $name, $prefix, $hash, $created)
            """;
        command.Parameters.AddWithValue("$id", key.Id);
        command.Parameters.AddWithValue("$user", key.User);
        command.Parameters.AddWithValue("$name", key.Name);
        command.Parameters.AddWithValue("$prefix", key.Prefix);
        command.Parameters.AddWithValue("$hash", Hash(secret));
        command.Parameters.AddWithValue("$created", Text(now));
        command.ExecuteNonQuery();
        _cache.Clear();
        return (key, secret);
    }

    /// <summary>Lists every key, active and revoked, oldest first.</summary>
    public IReadOnlyList<ManagedKey> List()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, user_id, name, key_prefix, created_at, revoked_at FROM managed_keys ORDER BY created_at, id";
        return ReadAll(command);
    }

    /// <summary>Revokes a key; returns it, or null when no key has that id. Revoking twice keeps the first time.</summary>
    public ManagedKey? Revoke(string id, DateTimeOffset now)
    {
        using var connection = database.Open();
        using (var update = connection.CreateCommand())
        {
            update.CommandText = "UPDATE managed_keys SET revoked_at = COALESCE(revoked_at, $now) WHERE id = $id";
            update.Parameters.AddWithValue("$id", id);
            update.Parameters.AddWithValue("$now", Text(now));
            if (update.ExecuteNonQuery() == 0)
            {
                return null;
            }
        }

        _cache.Clear();

        using var select = connection.CreateCommand();
        select.CommandText = "SELECT id, user_id, name, key_prefix, created_at, revoked_at FROM managed_keys WHERE id = $id";
        select.Parameters.AddWithValue("$id", id);
        return ReadAll(select).Single();
    }

    /// <summary>
    /// Finds the active key whose secret is <paramref name="secret"/>, or null. A key found stays trusted for
    /// <see cref="ActiveKeyCache.Lifetime"/> unless this store creates or revokes a key meanwhile.
    /// </summary>
    public ManagedKey? FindActive(string secret)
    {
        var hash = Hash(secret);
        if (_cache.Find(hash) is { } cached)
        {
            return cached;
        }

        var generation = _cache.Generation;
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, user_id, name, key_prefix, created_at, revoked_at FROM managed_keys WHERE key_hash = $hash AND revoked_at IS NULL";
        command.Parameters.AddWithValue("$hash", hash);
        var key = ReadAll(command).FirstOrDefault();
        if (key is not null)
        {
            _cache.Add(hash, key, generation);
        }

        return key;
    }

    internal static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static List<ManagedKey> ReadAll(SqliteCommand command)
    {
        var keys = new List<ManagedKey>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            keys.Add(new ManagedKey(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                Parse(reader.GetString(4)),
                reader.IsDBNull(5) ? null : Parse(reader.GetString(5))));
        }

        return keys;
    }

    private static string Text(DateTimeOffset moment) => moment.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
