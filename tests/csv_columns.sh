# tests/csv_columns.sh - csv_columns, sourced by the host CLI tests (tests/cli/lib.sh) and by the
# VM test sets (packed into the initramfs as /etc/dmabench/csv_columns.sh): one way to read a
# dmabench CSV by column name in shell, so that no check depends on where a column sits.
# POSIX sh and busybox awk: it runs in the guests too.

# csv_columns FILE NAME...: the named columns of every data row of a dmabench CSV file, comma-
# separated, found by header name (so a new column does not shift them). Quoted fields (RFC
# 4180, no line breaks inside) keep their quotes.
csv_columns() {
    local file=$1
    shift
    awk -v want="$*" '
        function split_csv(line, f,    n, i, c, q, cell) {
            n = 0; q = 0; cell = ""
            for (i = 1; i <= length(line); i++) {
                c = substr(line, i, 1)
                if (c == "\"") q = !q
                if (c == "," && !q) { f[++n] = cell; cell = ""; continue }
                cell = cell c
            }
            f[++n] = cell
            return n
        }
        NR == 1 {
            n = split_csv($0, head)
            k = split(want, names, " ")
            for (j = 1; j <= k; j++) {
                idx[j] = 0
                for (i = 1; i <= n; i++) if (head[i] == names[j]) idx[j] = i
                if (!idx[j]) { print "csv_columns: no column " names[j] > "/dev/stderr"; exit 1 }
            }
            next
        }
        {
            split_csv($0, f)
            out = ""
            for (j = 1; j <= k; j++) out = out (j > 1 ? "," : "") f[idx[j]]
            print out
        }' "$file"
}
