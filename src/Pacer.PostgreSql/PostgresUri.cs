using Npgsql;

namespace Pacer.PostgreSql;

/// <summary>Turns a <c>postgres://user:password@host:port/database?sslmode=require</c> URI into Npgsql keywords.</summary>
internal static class PostgresUri
{
    public static string ToConnectionString(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || string.IsNullOrEmpty(parsed.Host))
        {
            throw new ArgumentException("The PostgreSQL URI is malformed; expected postgres://user:password@host:port/database.", nameof(uri));
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = parsed.Host };
        if (parsed.Port > 0)
        {
            builder.Port = parsed.Port;
        }

        if (parsed.UserInfo.Length > 0)
        {
            var parts = parsed.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        var database = Uri.UnescapeDataString(parsed.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in parsed.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = pair.Split('=', 2) is [var k, var v] ? (k, v) : (pair, string.Empty);
            if (string.Equals(key, "sslmode", StringComparison.OrdinalIgnoreCase))
            {
                builder.SslMode = Enum.Parse<SslMode>(Uri.UnescapeDataString(value).Replace("-", string.Empty, StringComparison.Ordinal), ignoreCase: true);
            }
            else
            {
                builder[Uri.UnescapeDataString(key)] = Uri.UnescapeDataString(value);
            }
        }

        return builder.ConnectionString;
    }
}
