using System.Globalization;
using Microsoft.Extensions.Configuration;
using Pacer.Configuration;

namespace Pacer.Usage;

/// <summary>
/// Where usage is kept and how it is priced. Each setting is read from its environment variable (or <c>.env</c>)
/// first, then from the <c>Pacer:Usage</c> section.
/// </summary>
public sealed record UsageOptions
{
    /// <summary>The configuration section that holds these settings.</summary>
    public const string SectionName = "Pacer:Usage";

    /// <summary>The environment variable naming the store.</summary>
    public const string StoreVariable = "PACER_USAGE_STORE";

    /// <summary>The environment variable naming the operator's price file.</summary>
    public const string PriceBookVariable = "PACER_PRICE_BOOK";

    /// <summary>The environment variable giving the value of one credit in USD.</summary>
    public const string CreditValueVariable = "PACER_CREDIT_VALUE_USD";

    /// <summary>The default store: a SQLite file in the working folder.</summary>
    public const string DefaultStore = "pacer-usage.db";

    /// <summary>Gets the store: a SQLite file path or <c>Data Source=...</c>, or a PostgreSQL <c>Host=...</c> connection string.</summary>
    /// <value>The default value is <c>pacer-usage.db</c>. Environment: <c>PACER_USAGE_STORE</c>.</value>
    public string Store { get; init; } = DefaultStore;

    /// <summary>Gets the operator's price file laid over the shipped prices, or null for the shipped prices alone.</summary>
    /// <value>The default value is null. Environment: <c>PACER_PRICE_BOOK</c>.</value>
    public string? PriceBookPath { get; init; }

    /// <summary>Gets the value of one credit in USD.</summary>
    /// <value>The default value is 0.01 (one cent). Environment: <c>PACER_CREDIT_VALUE_USD</c>.</value>
    public decimal CreditValueUsd { get; init; } = CreditOptions.DefaultCreditValueUsd;

    /// <summary>Reads the settings; throws <see cref="PacerOptionsException"/> naming an invalid credit value.</summary>
    public static UsageOptions Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        var options = new UsageOptions
        {
            Store = NonEmpty(configuration[StoreVariable]) ?? NonEmpty(section[nameof(Store)]) ?? DefaultStore,
            PriceBookPath = NonEmpty(configuration[PriceBookVariable]) ?? NonEmpty(section[nameof(PriceBookPath)]),
        };
        var (field, text) = configuration[CreditValueVariable] is { } fromEnvironment
            ? (CreditValueVariable, fromEnvironment)
            : ($"{SectionName}:{nameof(CreditValueUsd)}", section[nameof(CreditValueUsd)]);
        if (text is null)
        {
            return options;
        }

        return decimal.TryParse(text.Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var value) && value is > 0 and <= 1000
            ? options with { CreditValueUsd = value }
            : throw new PacerOptionsException([new SettingError(field, text, "is not a number of USD in (0, 1000]")]);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
