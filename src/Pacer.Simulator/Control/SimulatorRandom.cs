namespace Pacer.Simulator.Control;

/// <summary>The simulator's one source of randomness (ids, jitter, random faults), seeded so runs replay; thread-safe.</summary>
internal sealed class SimulatorRandom(int seed)
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private readonly Random _random = new(seed);
    private readonly Lock _gate = new();

    public double NextDouble()
    {
        lock (_gate)
        {
            return _random.NextDouble();
        }
    }

    /// <summary>An id like the real API's: a prefix and 24 base-62 characters, for example <c>req_011C...</c>.</summary>
    public string NextId(string prefix)
    {
        Span<char> chars = stackalloc char[24];
        lock (_gate)
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = Alphabet[_random.Next(Alphabet.Length)];
            }
        }

        return string.Concat(prefix, "011C", chars[4..]);
    }
}
