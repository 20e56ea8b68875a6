namespace Pacer.Tests.Support;

/// <summary>A jitter source that returns the given values in order, then repeats the last.</summary>
internal sealed class ScriptedRandom(params double[] values)
{
    private int _next;

    public int Calls => _next;

    public double Next()
    {
        var value = values[Math.Min(_next, values.Length - 1)];
        _next++;
        return value;
    }
}
