using System.Globalization;
using System.Security.Cryptography;
using Pacer.Http;

namespace Pacer.Gateway.Storage;

/// <summary>
/// What belongs to this installation rather than to its settings: the secret under which upstream key ids are keyed
/// (<see cref="UpstreamKeyId"/>), generated once (256 random bits) and kept in the store, so that ids survive restarts.
/// </summary>
internal sealed class InstallationStore(GatewayDatabase database, TimeProvider time)
{
    public const string KeyIdSecretName = "key_id_secret";

    /// <summary>Gets the key-id secret, creating it when the store has none (at once on every gateway sharing the file: the first one's wins).</summary>
    public byte[] KeyIdSecret()
    {
        using var connection = database.Open();
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT OR IGNORE INTO installation (name, value, created_at) VALUES ($name, $value, $at)";
            insert.Parameters.AddWithValue("$name", KeyIdSecretName);
            insert.Parameters.AddWithValue("$value", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            insert.Parameters.AddWithValue("$at", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            insert.ExecuteNonQuery();
        }

        using var select = connection.CreateCommand();
        select.CommandText = "SELECT value FROM installation WHERE name = $name";
        select.Parameters.AddWithValue("$name", KeyIdSecretName);
        return Decode(select.ExecuteScalar() as string)
            ?? throw new InvalidOperationException($"The store at '{database.FullPath}' holds a key-id secret that is not {UpstreamKeyId.MinimumSecretBytes} or more bytes of base64: delete its row from the installation table to have a new one made (key ids then change).");
    }

    /// <summary>Replaces the key-id secret (by the one the other gateways on a shared Redis use).</summary>
    public void ReplaceKeyIdSecret(byte[] secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE installation SET value = $value WHERE name = $name";
        command.Parameters.AddWithValue("$name", KeyIdSecretName);
        command.Parameters.AddWithValue("$value", Convert.ToBase64String(secret));
        command.ExecuteNonQuery();
    }

    /// <summary>Reads a stored secret; null when it is not base64 of at least the minimum length.</summary>
    public static byte[]? Decode(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            var bytes = Convert.FromBase64String(text);
            return bytes.Length >= UpstreamKeyId.MinimumSecretBytes ? bytes : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
