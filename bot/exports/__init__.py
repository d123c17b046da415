"""Files for the office: the Excel 汇总表, the Word 工作简报 and the photo archive."""
