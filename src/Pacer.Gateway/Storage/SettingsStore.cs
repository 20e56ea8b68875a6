using System.Globalization;
using Pacer.Configuration;

namespace Pacer.Gateway.Storage;

/// <summary>Settings changed through the admin API, kept so that they survive a restart (they win over the environment).</summary>
internal sealed class SettingsStore(GatewayDatabase database)
{
    /// <summary>Reads every persisted setting by its admin (camelCase) name.</summary>
    public IReadOnlyDictionary<string, double> Load()
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, value FROM settings ORDER BY name";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            values[reader.GetString(0)] = reader.GetDouble(1);
        }

        return values;
    }

    /// <summary>
    /// Writes <paramref name="values"/> in one transaction and runs <paramref name="apply"/> before committing, so that the
    /// store and the running limiter change together or not at all.
    /// </summary>
    public void Save(IReadOnlyDictionary<PacerSetting, double> values, DateTimeOffset now, Action apply)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(apply);
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        foreach (var (setting, value) in values)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO settings (name, value, updated_at) VALUES ($name, $value, $at)
                ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                """;
            command.Parameters.AddWithValue("$name", setting.JsonName);
            command.Parameters.AddWithValue("$value", value);
            command.Parameters.AddWithValue("$at", now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            command.ExecuteNonQuery();
        }

        apply();
        transaction.Commit();
    }

    /// <summary>Forgets every persisted setting, so that the environment's values apply again after a restart.</summary>
    public void Clear(Action apply)
    {
        ArgumentNullException.ThrowIfNull(apply);
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM settings";
        command.ExecuteNonQuery();
        apply();
        transaction.Commit();
    }
}
