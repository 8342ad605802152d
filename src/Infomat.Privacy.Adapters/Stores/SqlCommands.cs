using System.Data.Common;

namespace Infomat.Privacy.Adapters.Stores;

/// <summary>How every SQL store class builds its commands: text from the validated map, values as parameters only.</summary>
internal static class SqlCommands
{
    /// <summary>A command on the connection, in the transaction when there is one.</summary>
    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>Adds a named parameter; null goes in as <see cref="DBNull"/>.</summary>
    public static void AddParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
