using System.Globalization;

namespace Infomat.Privacy.IntegrationTests.Infrastructure;

/// <summary>CPU time the benchmarks' processes (a host, an Azurite, the test process itself) used, for where the time goes.</summary>
public static class ProcessCpu
{
    /// <summary>CPU time (user and system) a process used so far, from <c>/proc/{pid}/stat</c> (clock ticks of 1/100 s); 0 when it is not running.</summary>
    public static double Seconds(int? pid)
    {
        try
        {
            if (pid is null || !File.Exists($"/proc/{pid}/stat"))
            {
                return 0;
            }

            var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
