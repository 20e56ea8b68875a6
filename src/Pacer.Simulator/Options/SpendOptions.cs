namespace Pacer.Simulator.Options;

/// <summary>A monthly spend cap per API key: once reached, requests get 429 <c>enforced_spend_limit_reached</c> until the next UTC month.</summary>
public sealed class SpendOptions
{
    /// <summary>The cap in USD; 0 turns it off. <value>The default is 0.</value></summary>
    public decimal MonthlyCapUsd { get; set; }
}
