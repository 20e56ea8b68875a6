using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pacer.Configuration;
using Pacer.Limiting;
using StackExchange.Redis;

namespace Pacer.Redis;

/// <summary>
/// The limiter's numbers on Redis, shared by every process that uses the same server and prefix: requests per minute
/// and concurrency leases across all of them, the token budgets, what any of them learned from the upstream, cooldowns.
/// Each operation is one Lua script (one round trip, <c>EVALSHA</c>, reloaded when the server lost it) on the Redis
/// server's clock. When Redis cannot be reached within <see cref="RedisLimiterOptions.OperationTimeout"/>, the store
/// acts on <see cref="RedisLimiterOptions.FailurePolicy"/> and tries Redis again every
/// <see cref="RedisLimiterOptions.RetryInterval"/>. See <c>docs/SCALING.md</c>.
/// </summary>
public sealed partial class RedisLimiterStore : ILimiterStore, IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan FailClosedWait = TimeSpan.FromHours(2);

    private readonly RedisLimiterOptions _options;
    private readonly IConnectionMultiplexer _redis;
    private readonly bool _ownsConnection;
    private readonly RedisKeys _keys;
    private readonly InMemoryLimiterStore _local;
    private readonly TimeProvider _time;
    private ILogger _logger;
    private readonly Func<long>? _clock;
    private readonly Lock _gate = new();
    private readonly HashSet<(string Owner, long Id)> _localLeases = [];
    private readonly Task _subscribed;
    private readonly Script _admit = new(RedisScripts.Admit);
    private readonly Script _update = new(RedisScripts.Update);
    private readonly Script _renew = new(RedisScripts.Renew);
    private readonly Script _forget = new(RedisScripts.Forget);
    private readonly Script _snapshot = new(RedisScripts.Snapshot);
    private volatile bool _degraded;
    private long _retryAt;
    private int _liveInstances = 1;
    private LimiterLoad _load;
    private (PacerOptions Policy, int Share, PacerOptions Shared) _sharedPolicy;

    /// <summary>Creates a store on a connected (or connecting) multiplexer.</summary>
    /// <param name="redis">The connection; disposed with the store when <paramref name="ownsConnection"/>.</param>
    /// <param name="options">The settings.</param>
    /// <param name="ownsConnection">Whether disposing the store closes the connection.</param>
    /// <param name="logger">Where failures and recoveries are logged (once per episode).</param>
    /// <param name="timeProvider">The clock of the fallback store and of the retry schedule (Redis keeps the shared clock).</param>
    public RedisLimiterStore(IConnectionMultiplexer redis, RedisLimiterOptions options, bool ownsConnection = false, ILogger? logger = null, TimeProvider? timeProvider = null)
        : this(redis, options, ownsConnection, logger, timeProvider, clock: null)
    {
    }

    /// <summary>Creates a store whose scripts read <paramref name="clock"/> (microseconds) instead of Redis <c>TIME</c>: for tests that drive time.</summary>
    internal RedisLimiterStore(IConnectionMultiplexer redis, RedisLimiterOptions options, bool ownsConnection, ILogger? logger, TimeProvider? timeProvider, Func<long>? clock)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis;
        _options = options;
        _ownsConnection = ownsConnection;
        _keys = new RedisKeys(options.Prefix);
        _time = timeProvider ?? TimeProvider.System;
        _local = new InMemoryLimiterStore(_time);
        _logger = logger ?? NullLogger.Instance;
        _clock = clock;
        Budgets = new RedisSharedBudgets(redis, _keys, options.OperationTimeout);
        _subscribed = SubscribeAsync();
    }

    /// <summary>Gets the users' budget totals on the same Redis and prefix, for a <see cref="Pacer.Usage.BudgetGuard"/> that several instances share.</summary>
    public Pacer.Usage.ISharedBudgets Budgets { get; }

    /// <inheritdoc />
    public event EventHandler? CapacityFreed;

    /// <summary>Raised when an instance published a settings change (<see cref="PublishSettingsAsync"/>), this one's included.</summary>
    public event EventHandler<SharedSettings>? SettingsChanged;

    /// <summary>Raised when the store loses Redis (true) or gets it back (false).</summary>
    public event EventHandler<bool>? DegradedChanged;

    /// <inheritdoc />
    public TimeSpan? LeaseTimeToLive => _options.LeaseTimeToLive;

    /// <summary>Gets a value indicating whether Redis cannot be reached and the failure policy is in force.</summary>
    public bool IsDegraded => _degraded;

    /// <summary>Gets the live instances as last counted from their heartbeats (each limiter renewing its leases is one).</summary>
    public int LiveInstances => Volatile.Read(ref _liveInstances);

    /// <summary>Gets the settings.</summary>
    public RedisLimiterOptions Options => _options;

    /// <summary>
    /// Connects to the Redis of <paramref name="options"/>. Throws <see cref="RedisStoreException"/> with one line naming
    /// <c>PACER_REDIS_URL</c> when the URL is malformed or the server cannot be reached, unless
    /// <paramref name="startDegraded"/>: then the store starts on its failure policy and connects in the background.
    /// </summary>
    public static async Task<RedisLimiterStore> ConnectAsync(
        RedisLimiterOptions options,
        bool startDegraded = false,
        ILogger? logger = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ConfigurationOptions configuration;
        try
        {
            configuration = RedisUrl.Parse(options.Url);
        }
        catch (FormatException exception)
        {
            throw new RedisStoreException(exception.Message, exception);
        }

        var timeout = (int)Math.Ceiling(options.OperationTimeout.TotalMilliseconds);
        configuration.AbortOnConnectFail = !startDegraded;
        configuration.ConnectTimeout = Math.Max(2000, timeout);
        configuration.AsyncTimeout = timeout;
        configuration.SyncTimeout = timeout;
        configuration.ClientName = "pacer";
        ConnectionMultiplexer redis;
        try
        {
            redis = await ConnectionMultiplexer.ConnectAsync(configuration).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RedisConnectionException exception)
        {
            throw new RedisStoreException(
                $"PACER_REDIS_URL: Redis at {string.Join(", ", configuration.EndPoints)} cannot be reached ({exception.FailureType}). Start Redis or fix the URL, or set PACER_REDIS_START_DEGRADED=true to start on each instance's share of the limits.",
                exception);
        }

        var store = new RedisLimiterStore(redis, options, ownsConnection: true, logger, timeProvider);
        if (!redis.IsConnected)
        {
            store.Fail(new InvalidOperationException("Redis could not be reached at startup."));
        }
        else
        {
            // Connected, the store is returned listening: a release published before would not wake its waiters.
            await store._subscribed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return store;
    }

    /// <summary>Sends the store's log lines to a logger of <paramref name="loggers"/> from now on (for a store connected before the host's logging existed); returns the store.</summary>
    public RedisLimiterStore WithLoggerFrom(ILoggerFactory? loggers)
    {
        if (loggers is not null)
        {
            _logger = loggers.CreateLogger<RedisLimiterStore>();
        }

        return this;
    }

    /// <inheritdoc />
    public async ValueTask AdmitAsync(AdmissionBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!UseLocal())
        {
            try
            {
                var reply = await EvaluateAsync(_admit, AdmitKeys(batch), AdmitArguments(batch)).ConfigureAwait(false);
                ReadDecisions(batch, (RedisResult[])reply!);
                Recovered();
                return;
            }
            catch (Exception exception) when (IsOutage(exception))
            {
                Fail(exception);
            }
        }

        await AdmitLocallyAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask UpdateAsync(BucketUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update.Policy);
        if (update.FreeLease != 0 && ForgetLocalLease(update.LeaseOwner ?? string.Empty, update.FreeLease))
        {
            await _local.UpdateAsync(Share(update), cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!UseLocal())
        {
            try
            {
                var freed = (int)await EvaluateAsync(_update, UpdateKeys(update.Bucket), UpdateArguments(update)).ConfigureAwait(false) == 1;
                Recovered();
                if (freed)
                {
                    // The other limiters of this store look again at once, as the in-memory store's do; the release's
                    // message on Redis wakes other processes, and this one again (a second look is harmless). Waiting
                    // for that message alone missed releases made before the subscription was in place.
                    CapacityFreed?.Invoke(this, EventArgs.Empty);
                }

                return;
            }
            catch (Exception exception) when (IsOutage(exception))
            {
                Fail(exception);
            }
        }

        // Redis is out of reach: what was learned counts here; a Redis lease left unfreed expires by itself.
        await _local.UpdateAsync(Share(update) with { FreeLease = 0 }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask RenewAsync(string owner, ReadOnlyMemory<long> leases, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        if (UseLocal())
        {
            return;
        }

        var arguments = new RedisValue[3 + leases.Length];
        arguments[0] = Clock();
        arguments[1] = Micros(_options.LeaseTimeToLive);
        arguments[2] = owner;
        for (var i = 0; i < leases.Length; i++)
        {
            arguments[3 + i] = leases.Span[i];
        }

        try
        {
            var live = (int)await EvaluateAsync(_renew, [_keys.Leases, _keys.Instances], arguments).ConfigureAwait(false);
            Volatile.Write(ref _liveInstances, Math.Max(1, live));
            Recovered();
        }
        catch (Exception exception) when (IsOutage(exception))
        {
            Fail(exception);
        }
    }

    /// <inheritdoc />
    public async ValueTask ForgetOutputAccountingAsync(CancellationToken cancellationToken = default)
    {
        await _local.ForgetOutputAccountingAsync(cancellationToken).ConfigureAwait(false);
        if (!UseLocal())
        {
            try
            {
                await EvaluateAsync(_forget, [_keys.Accounting], [Clock()]).ConfigureAwait(false);
            }
            catch (Exception exception) when (IsOutage(exception))
            {
                Fail(exception);
            }
        }
    }

    /// <summary>
    /// Makes a settings change known to every instance on this Redis and prefix: kept as the latest (an instance that
    /// starts later reads it with <see cref="ReadSettingsAsync"/>) and announced at once. Throws when Redis cannot be reached.
    /// </summary>
    public async Task PublishSettingsAsync(SharedSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var line = settings.Encode();
        var database = _redis.GetDatabase();
        await database.StringSetAsync(_keys.Settings, line).WaitAsync(_options.OperationTimeout).ConfigureAwait(false);
        await database.PublishAsync(_keys.SettingsChanged, line).WaitAsync(_options.OperationTimeout).ConfigureAwait(false);
    }

    /// <summary>Reads the latest settings change published on this Redis and prefix, or null when there is none (or Redis cannot be reached).</summary>
    public async Task<SharedSettings?> ReadSettingsAsync()
    {
        try
        {
            var line = await _redis.GetDatabase().StringGetAsync(_keys.Settings).WaitAsync(_options.OperationTimeout).ConfigureAwait(false);
            return SharedSettings.Decode(line);
        }
        catch (Exception exception) when (IsOutage(exception))
        {
            return null;
        }
    }

    /// <inheritdoc />
    public LimiterLoad ReadLoad() => _degraded ? _local.ReadLoad() : _load;

    /// <inheritdoc />
    public async ValueTask<LimiterStoreSnapshot> SnapshotAsync(PacerOptions policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (!UseLocal())
        {
            try
            {
                var reply = (RedisResult[])(await EvaluateAsync(_snapshot, [_keys.Leases, _keys.Window, _keys.Buckets], [Clock()]).ConfigureAwait(false))!;
                return ReadSnapshot(reply);
            }
            catch (Exception exception) when (IsOutage(exception))
            {
                Fail(exception);
            }
        }

        return await _local.SnapshotAsync(SharedPolicy(policy), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsConnection)
        {
            _redis.Dispose();
        }
        else
        {
            _redis.GetSubscriber().Unsubscribe(_keys.Freed);
            _redis.GetSubscriber().Unsubscribe(_keys.SettingsChanged);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_ownsConnection)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            await _redis.GetSubscriber().UnsubscribeAsync(_keys.Freed).ConfigureAwait(false);
            await _redis.GetSubscriber().UnsubscribeAsync(_keys.SettingsChanged).ConfigureAwait(false);
        }
    }

    private static bool IsOutage(Exception exception) =>
        exception is RedisConnectionException or RedisTimeoutException or TimeoutException or ObjectDisposedException
        || (exception is RedisServerException server && (server.Message.StartsWith("LOADING", StringComparison.Ordinal) || server.Message.StartsWith("READONLY", StringComparison.Ordinal) || server.Message.StartsWith("BUSY", StringComparison.Ordinal)));

    private static long Micros(TimeSpan span) => span.Ticks / 10;

    private static TimeSpan FromMicros(long micros) => TimeSpan.FromTicks(micros * 10);

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Listens for the releases of other processes; the client restores the subscription after a reconnect.</summary>
    private async Task SubscribeAsync()
    {
        try
        {
            var subscriber = _redis.GetSubscriber();
            await subscriber.SubscribeAsync(_keys.Freed, (_, _) => CapacityFreed?.Invoke(this, EventArgs.Empty)).ConfigureAwait(false);
            await subscriber.SubscribeAsync(_keys.SettingsChanged, (_, line) =>
            {
                if (SharedSettings.Decode(line) is { } settings)
                {
                    SettingsChanged?.Invoke(this, settings);
                }
            }).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsOutage(exception))
        {
            // Waiters blocked on concurrency then look again every second (the limiter's safety poll) until it is back.
            RedisStoreLog.SubscribeFailed(_logger, exception.GetType().Name);
        }
    }

    private RedisValue Clock() => _clock is null ? RedisValue.EmptyString : _clock();

    private async Task<RedisResult> EvaluateAsync(Script script, RedisKey[] keys, RedisValue[] arguments)
    {
        var database = _redis.GetDatabase();
        try
        {
            return await database.ScriptEvaluateAsync(script.Hash, keys, arguments).WaitAsync(_options.OperationTimeout).ConfigureAwait(false);
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // The server lost its script cache (a restart, SCRIPT FLUSH): EVAL sends the text and loads it again.
            return await database.ScriptEvaluateAsync(script.Text, keys, arguments).WaitAsync(_options.OperationTimeout).ConfigureAwait(false);
        }
    }

    private bool UseLocal()
    {
        if (!_degraded)
        {
            return false;
        }

        // While degraded, Redis is tried again once per retry interval (the call that tries pays the timeout at most).
        var now = _time.GetTimestamp();
        var due = Volatile.Read(ref _retryAt);
        return now < due || Interlocked.CompareExchange(ref _retryAt, now + (long)(_options.RetryInterval.TotalSeconds * _time.TimestampFrequency), due) != due;
    }

    private void Fail(Exception exception)
    {
        Volatile.Write(ref _retryAt, _time.GetTimestamp() + (long)(_options.RetryInterval.TotalSeconds * _time.TimestampFrequency));
        if (_degraded)
        {
            return;
        }

        _degraded = true;
        if (_options.FailurePolicy == RedisFailurePolicy.ShareLimits)
        {
            RedisStoreLog.Degraded(_logger, exception.GetType().Name, LiveInstances);
        }
        else
        {
            RedisStoreLog.FailedClosed(_logger, exception.GetType().Name);
        }

        DegradedChanged?.Invoke(this, true);
    }

    private void Recovered()
    {
        if (!_degraded)
        {
            return;
        }

        _degraded = false;
        RedisStoreLog.Recovered(_logger);
        DegradedChanged?.Invoke(this, false);
        CapacityFreed?.Invoke(this, EventArgs.Empty);
    }

    private async ValueTask AdmitLocallyAsync(AdmissionBatch batch, CancellationToken cancellationToken)
    {
        if (_options.FailurePolicy == RedisFailurePolicy.FailClosed)
        {
            var refused = new AdmissionDecision(AdmissionStatus.Wait, FailClosedWait, AdmissionBlockers.SharedStore, FailClosedWait);
            for (var i = 0; i < batch.Count; i++)
            {
                batch.Decide(i, refused);
            }

            return;
        }

        var policy = batch.Policy;
        batch.Policy = SharedPolicy(policy);
        try
        {
            await _local.AdmitAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            batch.Policy = policy;
        }

        if (!batch.LookOnly)
        {
            lock (_gate)
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    if (batch.Decision(i).Admitted)
                    {
                        _localLeases.Add((batch.Owner, batch.Candidate(i).LeaseId));
                    }
                }
            }
        }
    }

    private bool ForgetLocalLease(string owner, long id)
    {
        lock (_gate)
        {
            return _localLeases.Count > 0 && _localLeases.Remove((owner, id));
        }
    }

    /// <summary>Gets this process's share of <paramref name="policy"/>: every limit divided by the live instances last counted.</summary>
    private PacerOptions SharedPolicy(PacerOptions policy)
    {
        var share = LiveInstances;
        var cached = _sharedPolicy;
        if (ReferenceEquals(cached.Policy, policy) && cached.Share == share)
        {
            return cached.Shared;
        }

        var perMinute = Math.Max(1, policy.MaxRequestsPerMinute / share);
        var shared = policy with
        {
            MaxRequestsPerMinute = perMinute,
            MaxConcurrentRequests = Math.Max(1, policy.MaxConcurrentRequests / share),
            Burst = Math.Max(1, Math.Min(policy.Burst, perMinute)),
            InputTokensPerMinute = policy.InputTokensPerMinute > 0 ? Math.Max(1, policy.InputTokensPerMinute / share) : 0,
            OutputTokensPerMinute = policy.OutputTokensPerMinute > 0 ? Math.Max(1, policy.OutputTokensPerMinute / share) : 0,
        };
        _sharedPolicy = (policy, share, shared);
        return shared;
    }

    private BucketUpdate Share(BucketUpdate update)
    {
        var share = LiveInstances;
        return update with
        {
            Policy = SharedPolicy(update.Policy),
            Levels = share == 1 ? update.Levels : new LearnedLevels(
                Share(update.Levels.Requests, share),
                Share(update.Levels.InputTokens, share),
                Share(update.Levels.OutputTokens, share)),
        };
    }

    private static LearnedLevel Share(LearnedLevel level, int share) => level.IsKnown
        ? level with
        {
            Limit = Math.Max(1, level.Limit / share),
            Remaining = level.Remaining / share,
            ShownCapacity = level.ShownCapacity < 0 ? level.ShownCapacity : level.ShownCapacity / share,
        }
        : level;

    private RedisKey[] AdmitKeys(AdmissionBatch batch)
    {
        var keys = new RedisKey[4 + batch.Count];
        keys[0] = _keys.Pacing;
        keys[1] = _keys.Window;
        keys[2] = _keys.Leases;
        keys[3] = _keys.Buckets;
        for (var i = 0; i < batch.Count; i++)
        {
            keys[4 + i] = _keys.Bucket(batch.Candidate(i).Bucket);
        }

        return keys;
    }

    private RedisValue[] AdmitArguments(AdmissionBatch batch)
    {
        var policy = batch.Policy;
        var arguments = new RedisValue[13 + (5 * batch.Count)];
        arguments[0] = Clock();
        arguments[1] = batch.Owner;
        arguments[2] = Micros(_options.LeaseTimeToLive);
        arguments[3] = batch.LookOnly ? 1 : 0;
        arguments[4] = policy.MaxRequestsPerMinute;
        arguments[5] = policy.Burst;
        arguments[6] = policy.MaxConcurrentRequests;
        arguments[7] = policy.InputTokensPerMinute;
        arguments[8] = policy.OutputTokensPerMinute;
        arguments[9] = policy.TokenBurstSeconds;
        arguments[10] = policy.LearnLimits ? 1 : 0;
        arguments[11] = (long)_options.BucketTimeToLive.TotalSeconds;
        arguments[12] = batch.Count;
        for (var i = 0; i < batch.Count; i++)
        {
            ref readonly var candidate = ref batch.Candidate(i);
            var at = 13 + (5 * i);
            arguments[at] = candidate.LeaseId;
            arguments[at + 1] = candidate.Cost.InputTokens;
            arguments[at + 2] = candidate.Cost.OutputTokens;
            arguments[at + 3] = candidate.Cost.LearnedOutputTokens;
            arguments[at + 4] = 0;
        }

        return arguments;
    }

    private void ReadDecisions(AdmissionBatch batch, RedisResult[] reply)
    {
        _load = new LimiterLoad((int)reply[0], (int)reply[1], 0);
        for (var i = 0; i < batch.Count; i++)
        {
            var at = 2 + (5 * i);
            var status = (AdmissionStatus)(int)reply[at];
            batch.Decide(i, new AdmissionDecision(
                status,
                FromMicros((long)reply[at + 1]),
                (AdmissionBlockers)(int)reply[at + 2],
                FromMicros((long)reply[at + 3]),
                (int)reply[at + 4] != 0));
        }
    }

    private RedisKey[] UpdateKeys(BucketKey bucket) => [_keys.Bucket(bucket), _keys.Leases, _keys.Buckets, _keys.Accounting];

    private RedisValue[] UpdateArguments(BucketUpdate update)
    {
        var change = update.Change;
        var levels = update.Levels;
        var arguments = new List<RedisValue>(46)
        {
            Clock(),
            update.Policy.InputTokensPerMinute,
            update.Policy.OutputTokensPerMinute,
            (long)_options.BucketTimeToLive.TotalSeconds,
            Number(change.Requests.Debt), Number(change.Requests.Unconfirmed),
            Number(change.InputTokens.Debt), Number(change.InputTokens.Unconfirmed),
            Number(change.OutputTokens.Debt), Number(change.OutputTokens.Unconfirmed),
            Number(change.OperatorInputTokens), Number(change.OperatorOutputTokens),
            change.OutputRefundWithinRoom ? 1 : 0,
        };
        foreach (var level in (ReadOnlySpan<LearnedLevel>)[levels.Requests, levels.InputTokens, levels.OutputTokens])
        {
            arguments.Add(level.Limit);
            arguments.Add(Number(level.Remaining));
            arguments.Add(Number(level.IsKnown ? level.ShownCapacity : -1));
            arguments.Add(Number(level.Margin));
            arguments.Add(Number(level.SmallBucketMargin));
            arguments.Add(Number(level.SmallBucketBelow));
            arguments.Add(Number(level.Band));
            arguments.Add(Number(level.BandUpTo));
            arguments.Add((level.UnconfirmedMayBeCounted ? 1 : 0) + (level.MayBeBelowEmpty ? 2 : 0) + (level.HeldUnproduced ? 4 : 0));
        }

        arguments.Add(Micros(update.Cooldown));
        arguments.Add(update.ReservesMaxTokens ? 1 : 0);
        arguments.Add(update.FreeLease != 0 ? $"{update.LeaseOwner}:{update.FreeLease}" : string.Empty);
        arguments.Add((string)_keys.Freed!);
        arguments.Add(update.LeaseOwner ?? string.Empty);
        arguments.Add(Number(change.OutputSettlement));
        return [.. arguments];
    }

    private LimiterStoreSnapshot ReadSnapshot(RedisResult[] reply)
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(0) + FromMicros((long)reply[0]);
        var inFlight = (int)reply[1];
        var inWindow = (int)reply[2];
        _load = new LimiterLoad(inFlight, inWindow, 0);
        var buckets = new List<UpstreamBucketSnapshot>();
        for (var at = 4; at + 12 < reply.Length; at += 13)
        {
            var bucket = _keys.BucketOf((string)reply[at]!);
            buckets.Add(new UpstreamBucketSnapshot
            {
                KeyId = bucket.UpstreamKey,
                ModelClass = bucket.ModelClass,
                Requests = Budget(reply, at + 1, now),
                InputTokens = Budget(reply, at + 4, now),
                OutputTokens = Budget(reply, at + 7, now),
                CooldownUntil = (long)reply[at + 10] > 0 ? now + FromMicros((long)reply[at + 10]) : null,
                OutputReservedOnArrival = (int)reply[at + 11] != 0,
            });
        }

        return new LimiterStoreSnapshot(inWindow, FromMicros((long)reply[3]), inFlight, buckets);
    }

    private static BudgetSnapshot Budget(RedisResult[] reply, int at, DateTimeOffset now) => (long)reply[at] > 0
        ? new BudgetSnapshot((long)reply[at], (long)reply[at + 1], now + FromMicros((long)reply[at + 2]))
        : new BudgetSnapshot(null, null, null);

    /// <summary>A script's text and the SHA-1 by which the server knows it once loaded.</summary>
    private sealed class Script(string text)
    {
        public string Text { get; } = text;

#pragma warning disable CA5350 // EVALSHA names a script by its SHA-1: an identifier the protocol fixes, not a security measure.
        public byte[] Hash { get; } = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350
    }
}
