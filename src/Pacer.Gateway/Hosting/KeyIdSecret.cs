using System.Security.Cryptography;
using Pacer.Gateway.Storage;
using Pacer.Http;
using Pacer.Redis;
using StackExchange.Redis;

namespace Pacer.Gateway.Hosting;

/// <summary>
/// The secret under which the gateway keys upstream key ids (<see cref="UpstreamKeyId"/>), so that an id in a log line, a
/// Redis key or the admin API's status cannot be matched against a list of known keys without it. It is made once and
/// kept in the gateway's store; gateways that share limits on Redis (<c>PACER_REDIS_URL</c>) share one secret through
/// it, the first to start giving its own, so that a key has the same id, and the same buckets, on all of them.
/// </summary>
internal static partial class KeyIdSecret
{
    /// <summary>Gets the secret and where it came from; Redis is asked when configured, the store otherwise or when Redis cannot be reached.</summary>
    public static async Task<(byte[] Secret, string Source)> LoadAsync(InstallationStore store, RedisLimiterOptions? redis)
    {
        ArgumentNullException.ThrowIfNull(store);
        var local = store.KeyIdSecret();
        if (redis is null)
        {
            return (local, "the store");
        }

        try
        {
            var configuration = RedisUrl.Parse(redis.Url);
            configuration.AbortOnConnectFail = true;
            configuration.ConnectTimeout = Math.Max(2000, (int)redis.OperationTimeout.TotalMilliseconds);
            configuration.ClientName = "pacer";
            await using var connection = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
            var database = connection.GetDatabase();
            RedisKey key = "{" + redis.Prefix + "}:key-id-secret";
            await database.StringSetAsync(key, Convert.ToBase64String(local), when: When.NotExists).ConfigureAwait(false);
            if (InstallationStore.Decode(await database.StringGetAsync(key).ConfigureAwait(false)) is not { } shared)
            {
                return (local, $"the store (the one on Redis under {key} is not valid base64 of {UpstreamKeyId.MinimumSecretBytes}+ bytes)");
            }

            if (!CryptographicOperations.FixedTimeEquals(shared, local))
            {
                // Kept, so that a later start while Redis is down still gives the same ids.
                store.ReplaceKeyIdSecret(shared);
            }

            return (shared, "Redis (shared by the gateways on it)");
        }
        catch (Exception error) when (error is RedisException or FormatException or TimeoutException)
        {
            return (local, "the store: Redis could not be reached, so ids may differ from other gateways' until a restart with Redis up");
        }
    }

    /// <summary>Sets the secret for every request the gateway serves (and so for the engine's handler that computes the ids).</summary>
    public static IApplicationBuilder UseKeyIdSecret(this IApplicationBuilder app, byte[] secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return app.Use(async (context, next) =>
        {
            UpstreamKeyId.Secret = secret;
            await next(context).ConfigureAwait(false);
        });
    }

    [LoggerMessage(EventId = 70, Level = LogLevel.Information, Message = "Upstream key ids are keyed hashes (HMAC-SHA256) under this installation's secret, from {Source}")]
    public static partial void Loaded(ILogger logger, string source);
}
