namespace Pacer.Goodput.Scale;

/// <summary>How many waiters the scale benchmark queues, for how many users, and over how many admissions it judges fairness.</summary>
internal sealed record ScaleSettings
{
    public static ScaleSettings Full { get; } = new();

    public static ScaleSettings Quick { get; } = new() { Waiters = 2_000, Users = 20, FairnessWindow = 200 };

    public int Waiters { get; init; } = 10_000;

    public int Users { get; init; } = 100;

    /// <summary>Gets the admissions counted for the shares: ten rounds of the round-robin.</summary>
    public int FairnessWindow { get; init; } = 1_000;
}
