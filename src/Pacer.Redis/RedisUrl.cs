using System.Globalization;
using StackExchange.Redis;

namespace Pacer.Redis;

/// <summary>
/// Reads <c>PACER_REDIS_URL</c>: <c>redis://[user:password@]host[:port][/db]</c> (<c>rediss://</c> for TLS), or a
/// StackExchange.Redis configuration string such as <c>host:6379,password=...,ssl=true</c>.
/// </summary>
public static class RedisUrl
{
    /// <summary>Parses <paramref name="url"/>; throws <see cref="FormatException"/> with a message naming what is wrong (never the password).</summary>
    public static ConfigurationOptions Parse(string url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            throw new FormatException("PACER_REDIS_URL is empty; expected redis://host:port[/db] or host:port.");
        }

        url = url.Trim();
        if (!url.Contains("://", StringComparison.Ordinal))
        {
            try
            {
                var options = ConfigurationOptions.Parse(url);
                return options.EndPoints.Count > 0 ? options : throw new FormatException("PACER_REDIS_URL names no server; expected host:port.");
            }
            catch (ArgumentException exception)
            {
                throw new FormatException($"PACER_REDIS_URL is not a valid configuration string ({exception.Message.Split('\n')[0]}); expected redis://host:port[/db] or host:port.", exception);
            }
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host)
            || uri.Scheme is not ("redis" or "rediss"))
        {
            throw new FormatException("PACER_REDIS_URL is malformed; expected redis://[user:password@]host:port[/db] or rediss:// for TLS.");
        }

        var parsed = new ConfigurationOptions { Ssl = uri.Scheme == "rediss" };
        parsed.EndPoints.Add(uri.Host, uri.Port > 0 ? uri.Port : 6379);
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            if (parts.Length == 2)
            {
                if (parts[0].Length > 0)
                {
                    parsed.User = Uri.UnescapeDataString(parts[0]);
                }

                parsed.Password = Uri.UnescapeDataString(parts[1]);
            }
            else
            {
                parsed.Password = Uri.UnescapeDataString(parts[0]);
            }
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            if (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out var database))
            {
                throw new FormatException($"PACER_REDIS_URL names database '{path}'; expected a database number after the port.");
            }

            parsed.DefaultDatabase = database;
        }

        return parsed;
    }
}
