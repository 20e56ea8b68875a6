using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pacer.Http;
using Pacer.Usage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Pacer's usage ledger, prices, budgets and the recorder that feeds them.</summary>
public static class UsageServiceCollectionExtensions
{
    /// <summary>Reads <see cref="UsageOptions"/> from <paramref name="configuration"/> and registers the usage services.</summary>
    public static IServiceCollection AddPacerUsage(
        this IServiceCollection services,
        IConfiguration configuration,
        Func<string, UsageLedgerOptions, ILogger?, SqlUsageLedger>? openStore = null) =>
        services.AddPacerUsage(UsageOptions.Bind(configuration), openStore);

    /// <summary>
    /// Registers, as singletons: the <see cref="PriceBook"/> (read at startup, so a bad price file fails it),
    /// <see cref="CostCalculator"/>, the ledger (<see cref="SqlUsageLedger"/>, <see cref="IUsageLedger"/> and
    /// <see cref="IBudgetStore"/>; opened and migrated on first use, flushed when the container is disposed),
    /// <see cref="BudgetGuard"/>, and <see cref="UsageRecorder"/> as an <see cref="IRequestObserver"/> of the engine.
    /// <paramref name="openStore"/> opens the store; SQLite by default, <c>Pacer.PostgreSql</c>'s
    /// <c>UsageLedgerFactory.Create</c> for either.
    /// </summary>
    public static IServiceCollection AddPacerUsage(
        this IServiceCollection services,
        UsageOptions options,
        Func<string, UsageLedgerOptions, ILogger?, SqlUsageLedger>? openStore = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var book = options.PriceBookPath is null ? PriceBook.Default : PriceBook.Load(options.PriceBookPath);
        var open = openStore ?? OpenSqlite;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(book);
        services.TryAddSingleton(new CreditOptions { CreditValueUsd = options.CreditValueUsd });
        services.TryAddSingleton(static sp => new CostCalculator(
            sp.GetRequiredService<PriceBook>(), sp.GetRequiredService<CreditOptions>(), sp.GetService<ILogger<CostCalculator>>()));
        services.TryAddSingleton(sp => open(
            options.Store,
            new UsageLedgerOptions { TimeProvider = sp.GetRequiredService<TimeProvider>() },
            sp.GetService<ILoggerFactory>()?.CreateLogger("Pacer.Usage.Ledger")));
        services.TryAddSingleton<IUsageLedger>(static sp => sp.GetRequiredService<SqlUsageLedger>());
        services.TryAddSingleton<IBudgetStore>(static sp => sp.GetRequiredService<SqlUsageLedger>());
        services.TryAddSingleton(static sp => new BudgetGuard(
            sp.GetRequiredService<IBudgetStore>(), sp.GetRequiredService<IUsageLedger>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(static sp => new UsageRecorder(
            sp.GetRequiredService<IUsageLedger>(), sp.GetRequiredService<CostCalculator>(), sp.GetRequiredService<BudgetGuard>(),
            sp.GetService<ILogger<UsageRecorder>>()));
        services.AddSingleton<IRequestObserver>(static sp => sp.GetRequiredService<UsageRecorder>());
        return services;
    }

    private static SqlUsageLedger OpenSqlite(string store, UsageLedgerOptions options, ILogger? logger)
    {
        if (store.Contains("Host=", StringComparison.OrdinalIgnoreCase) || store.Contains("://", StringComparison.Ordinal))
        {
            // The connection string is not echoed: it may hold a password.
            throw new InvalidOperationException(
                "The usage store names a PostgreSQL server: reference Pacer.PostgreSql and pass UsageLedgerFactory.Create to AddPacerUsage.");
        }

        return SqliteUsageLedger.OpenAsync(store, options, logger ?? NullLogger.Instance).GetAwaiter().GetResult();
    }
}
